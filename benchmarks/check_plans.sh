#!/usr/bin/env bash
# Checks that plans (all graph passes, plan file round trip, arena execution) give the same
# outputs as the reference executor on the benchmark models, at every profile's min and max.
# Needs the models from benchmarks/models/export_models.py and Debian's python3-numpy.
# Usage: benchmarks/check_plans.sh [MODELS_DIR]   (default benchmarks/models/out)
# Tolerance: |plan - reference| <= 1e-4 + 1e-3 * |reference| (fused kernels change rounding
# order only: Conv+BatchNorm folding, bias/activation epilogues, LayerNorm/GELU recognition).
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS="${1:-benchmarks/models/out}"
TRT="${TRTSERVE:-build/server/trtserve}"
PY=/usr/bin/python3
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

compare() {  # compare DIR_A DIR_B
  "$PY" - "$1" "$2" <<'PYEOF'
import glob, os, sys
import numpy as np
a_dir, b_dir = sys.argv[1], sys.argv[2]
worst = 0.0
for a in sorted(glob.glob(os.path.join(a_dir, "*.npy"))):
    x = np.load(a); y = np.load(os.path.join(b_dir, os.path.basename(a)))
    assert x.shape == y.shape, (a, x.shape, y.shape)
    err = np.abs(x.astype(np.float64) - y) - (1e-4 + 1e-3 * np.abs(y.astype(np.float64)))
    worst = max(worst, float(np.abs(x.astype(np.float64) - y).max()))
    if (err > 0).any():
        print(f"MISMATCH {os.path.basename(a)}: max abs diff {np.abs(x - y).max():.3g}")
        sys.exit(1)
print(f"match (max abs diff {worst:.3g})")
PYEOF
}

make_input() {  # make_input NAME DTYPE SHAPE(comma) FILE
  "$PY" -c "import numpy as np,sys; rng=np.random.default_rng(7); s=tuple(int(v) for v in sys.argv[3].split(','));
x = rng.uniform(-1,1,s).astype(np.float32) if sys.argv[2]=='float32' else (np.ones(s,np.int64) if 'mask' in sys.argv[1] else rng.integers(0,1000,s).astype(np.int64))
np.save(sys.argv[4], x)" "$1" "$2" "$3" "$4"
}

check() {  # check MODEL PROFILE_FLAGS... -- NAME:DTYPE:SHAPE[;NAME:DTYPE:SHAPE] ...
  local model="$1"; shift
  local flags=()
  while [ "$1" != "--" ]; do flags+=("$1"); shift; done; shift
  local plan="$WORK/$(basename "$model" .onnx).plan"
  "$TRT" build "$MODELS/$model" -o "$plan" "${flags[@]}" >/dev/null 2>&1
  for binding in "$@"; do
    local args=() tag="${binding//[:;,]/_}"
    IFS=';' read -ra parts <<< "$binding"
    for part in "${parts[@]}"; do
      IFS=':' read -r name dtype shape <<< "$part"
      make_input "$name" "$dtype" "$shape" "$WORK/$name.npy"
      args+=(--input "$name=$WORK/$name.npy")
    done
    rm -rf "$WORK/ref" "$WORK/plan"
    "$TRT" run "$MODELS/$model" "${args[@]}" -o "$WORK/ref" >/dev/null 2>&1
    "$TRT" run "$plan" "${args[@]}" -o "$WORK/plan" >/dev/null 2>&1
    printf '%-18s %-40s ' "$model" "$binding"
    compare "$WORK/plan" "$WORK/ref"
  done
}

check mobilenet_v2.onnx --profile dyn:input=1x3x224x224..1x3x224x224..4x3x224x224 -- \
  "input:float32:1,3,224,224" "input:float32:4,3,224,224"
check resnet50.onnx --profile dyn:input=1x3x224x224..1x3x224x224..2x3x224x224 -- \
  "input:float32:1,3,224,224" "input:float32:2,3,224,224"
check bert_base.onnx \
  --profile dyn:input_ids=1x8..1x128..2x128,attention_mask=1x8..1x128..2x128 -- \
  "input_ids:int64:1,8;attention_mask:int64:1,8" "input_ids:int64:2,128;attention_mask:int64:2,128"
