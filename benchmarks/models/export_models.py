#!/usr/bin/python3
"""Export the peer-comparison benchmark models to ONNX (random weights, opset 13).

Run with Debian's interpreter, NOT a pyenv/venv python3 that may be first on PATH:

    /usr/bin/python3 benchmarks/models/export_models.py [--out DIR] [--models resnet50,mobilenet_v2,bert_base] [--force]

Requires Debian packages (all from the Debian archive, nothing downloads at run time):
    apt-get install -y python3-torch python3-torchvision python3-onnx
(python3-torchvision is not part of the base image; install it as above if missing.)

Models (weights are random; torch.manual_seed(0) so reruns give identical files):
  resnet50, mobilenet_v2 -- torchvision (weights=None). Input "input" float32
      [batch, 3, 224, 224], output "logits" [batch, 1000]. Before export the
      BatchNorm running statistics are re-estimated on random N(0,1) images
      (train mode, momentum=None = cumulative average, 10 batches under no_grad)
      so that activations in eval mode keep a realistic scale instead of
      exploding/vanishing through 50 layers of unit-statistics BN.
  bert_base -- a BERT-base-shaped encoder in plain torch.nn: 12 layers, hidden 768,
      12 heads, FFN 3072, GELU, post-LayerNorm, vocab 30522, max positions 512.
      Inputs int64 "input_ids" and "attention_mask" [batch, seq], output
      "last_hidden_state" float32 [batch, seq, 768]. Attention is written out
      explicitly (Linear q/k/v, view to heads, MatMul, Softmax with an additive
      mask built from attention_mask) so the export is plain ONNX ops.

All axes named batch/seq are dynamic.

FLOP sidecar (<model>.json next to <model>.onnx): FLOPs = 2 x multiply-adds,
counted by walking the *exported ONNX graph*: the graph inputs are pinned to each
benchmark shape, onnx.shape_inference.infer_shapes(data_prop=True) alternated with a
numpy fold of the small shape-arithmetic subgraph (Shape/Gather/Slice/Concat..., which
onnx 1.12's data propagation does not cover for Slice) resolves every intermediate
shape, and MACs are summed over Conv (out_elems * Cin/group * prod(kernel)),
Gemm (M*N*K) and MatMul (batch * M*N*K) nodes. Everything else (BN folded into Conv
by constant folding where torch does so, Add, Relu, Softmax, LayerNorm pieces, GELU
pieces, pooling) is ignored: it is < 1-2% of the total for these models. For BERT an
analytic count is also recorded as a cross-check.
"""

import argparse
import copy
import json
import os
import sys
import time

import numpy as np
import onnx
import onnx.checker
import onnx.shape_inference
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "out")
OPSET = 13

# Benchmark shapes used by run_peer_comparison.sh; FLOPs are recorded for each.
CNN_BATCHES = [1, 32]
BERT_BATCHES = [1, 8]
BERT_SEQ = 128


# ----------------------------------------------------------------------------- CNNs
def recalibrate_bn(model, steps=10, batch=8, hw=224):
    """Re-estimate BatchNorm running stats on random N(0,1) images."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average over all steps
    model.train()
    with torch.no_grad():
        for _ in range(steps):
            model(torch.randn(batch, 3, hw, hw))
    model.eval()
    return len(bns)


def build_cnn(name):
    import torchvision

    ctor = getattr(torchvision.models, name)
    try:
        model = ctor(weights=None)
    except TypeError:  # very old torchvision
        model = ctor(pretrained=False)
    nbn = recalibrate_bn(model)
    with torch.no_grad():
        out = model(torch.randn(2, 3, 224, 224))
    print(f"  {name}: re-estimated {nbn} BatchNorm layers; eval logits std={out.std().item():.3f}")
    return model


def export_cnn(name, path):
    model = build_cnn(name)
    dummy = torch.randn(1, 3, 224, 224)
    torch.onnx.export(
        model,
        (dummy,),
        path,
        opset_version=OPSET,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        do_constant_folding=True,
    )


# ----------------------------------------------------------------------------- BERT
class SelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = hidden // heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.o = nn.Linear(hidden, hidden)

    def forward(self, x, add_mask):
        b, s, h = x.shape
        def split(t):
            return t.view(b, s, self.heads, self.head_dim).transpose(1, 2)  # [b, H, s, d]
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / (self.head_dim ** 0.5)  # [b, H, s, s]
        probs = torch.softmax(scores + add_mask, dim=-1)
        ctx = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, h)
        return self.o(ctx)


class EncoderLayer(nn.Module):
    def __init__(self, hidden, heads, ffn, eps=1e-12):
        super().__init__()
        self.attn = SelfAttention(hidden, heads)
        self.ln1 = nn.LayerNorm(hidden, eps=eps)
        self.fc1 = nn.Linear(hidden, ffn)
        self.fc2 = nn.Linear(ffn, hidden)
        self.ln2 = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x, add_mask):
        x = self.ln1(x + self.attn(x, add_mask))
        return self.ln2(x + self.fc2(F.gelu(self.fc1(x))))


class BertEncoder(nn.Module):
    def __init__(self, vocab=30522, max_pos=512, hidden=768, layers=12, heads=12, ffn=3072):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_pos, hidden)
        self.ln = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList([EncoderLayer(hidden, heads, ffn) for _ in range(layers)])
        self.register_buffer("position_ids", torch.arange(max_pos).unsqueeze(0), persistent=False)
        for m in self.modules():  # BERT's initializer range
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, input_ids, attention_mask):
        s = input_ids.shape[1]
        x = self.word(input_ids) + self.pos(self.position_ids[:, :s])
        x = self.ln(x)
        # [b, 1, 1, s]: 0 where attended, -10000 where masked
        add_mask = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, add_mask)
        return x


def bert_analytic_macs(batch, seq, hidden=768, layers=12, ffn=3072):
    per_layer = 4 * seq * hidden * hidden + 2 * seq * seq * hidden + 2 * seq * hidden * ffn
    return batch * layers * per_layer


def export_bert(path):
    model = BertEncoder().eval()
    ids = torch.randint(0, 30522, (1, BERT_SEQ), dtype=torch.int64)
    mask = torch.ones(1, BERT_SEQ, dtype=torch.int64)
    with torch.no_grad():
        out = model(ids, mask)
    print(f"  bert_base: output {tuple(out.shape)} std={out.std().item():.3f}")
    torch.onnx.export(
        model,
        (ids, mask),
        path,
        opset_version=OPSET,
        input_names=["input_ids", "attention_mask"],
        output_names=["last_hidden_state"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "seq"},
            "attention_mask": {0: "batch", 1: "seq"},
            "last_hidden_state": {0: "batch", 1: "seq"},
        },
        do_constant_folding=True,
    )


# ----------------------------------------------------------------------------- FLOPs
def _dims(vi):
    t = vi.type.tensor_type
    if not t.HasField("shape"):
        return None
    out = []
    for d in t.shape.dim:
        if d.HasField("dim_value"):
            out.append(d.dim_value)
        else:
            return None
    return out


def _np_dtype(onnx_type):
    if hasattr(onnx.helper, "tensor_dtype_to_np_dtype"):
        return onnx.helper.tensor_dtype_to_np_dtype(onnx_type)
    return onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[onnx_type]


_FOLD_MAX = 1 << 16  # only fold small (shape-sized) tensors


def _eval_small(node, vals):
    """numpy evaluation of the shape-arithmetic ops torch emits; None if not handled."""
    from onnx import numpy_helper
    a = {x.name: onnx.helper.get_attribute_value(x) for x in node.attribute}
    x = [vals.get(i) if i else None for i in node.input]
    op = node.op_type
    if op == "Constant":
        return numpy_helper.to_array(a["value"]) if "value" in a else None
    if any(v is None for v, i in zip(x, node.input) if i):
        return None
    if op == "Gather":
        return np.take(x[0], x[1], axis=a.get("axis", 0))
    if op == "Unsqueeze":
        out = x[0]
        for ax in sorted(int(v) % (out.ndim + len(x[1])) for v in x[1]):
            out = np.expand_dims(out, ax)
        return out
    if op == "Squeeze":
        return np.squeeze(x[0], axis=tuple(int(v) for v in x[1])) if len(x) > 1 else np.squeeze(x[0])
    if op == "Concat":
        return np.concatenate(x, axis=a["axis"])
    if op == "Cast":
        return x[0].astype(_np_dtype(a["to"]))
    if op in ("Add", "Sub", "Mul", "Div", "Equal"):
        f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Equal": np.equal,
             "Div": (np.floor_divide if np.issubdtype(x[0].dtype, np.integer) else np.divide)}[op]
        return f(x[0], x[1]).astype(x[0].dtype) if op != "Equal" else f(x[0], x[1])
    if op == "Where":
        return np.where(x[0], x[1], x[2])
    if op == "Slice":
        data, starts, ends = x[0], x[1], x[2]
        axes = x[3] if len(x) > 3 and x[3] is not None else range(len(starts))
        steps = x[4] if len(x) > 4 and x[4] is not None else [1] * len(starts)
        sl = [slice(None)] * data.ndim
        for st, en, ax, sp in zip(starts, ends, axes, steps):
            sl[int(ax)] = slice(int(st), int(min(en, 2**62)) if en > -2**62 else None, int(sp))
        return data[tuple(sl)]
    if op == "Range":
        return np.arange(x[0], x[1], x[2])
    if op == "ConstantOfShape":
        v = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
        return np.full(tuple(int(d) for d in x[0]), v.reshape(-1)[0], dtype=v.dtype)
    if op == "Expand":
        shp = np.broadcast_shapes(x[0].shape, tuple(int(d) for d in x[1]))
        return np.broadcast_to(x[0], shp).copy()
    if op == "Reshape":
        return x[0].reshape(tuple(int(d) for d in x[1]))
    return None


def _pinned_shape_model(model_path, shapes):
    """Inputs pinned to `shapes`, large weights replaced by declared-shape inputs (no data),
    then shape inference and small-tensor constant folding alternated until every
    intermediate has a static shape (onnx's own data_prop does not cover Slice etc.)."""
    from onnx import numpy_helper
    m = onnx.load(model_path)
    for inp in m.graph.input:
        if inp.name in shapes:
            for d, v in zip(inp.type.tensor_type.shape.dim, shapes[inp.name]):
                d.ClearField("dim_param")
                d.dim_value = v
    vals = {}
    keep = []
    for init in m.graph.initializer:
        n = int(np.prod(init.dims)) if init.dims else 1
        if n <= _FOLD_MAX:
            vals[init.name] = numpy_helper.to_array(init)
            keep.append(init)
        else:  # weights: keep only the shape
            m.graph.input.append(onnx.helper.make_tensor_value_info(init.name, init.data_type, list(init.dims)))
    del m.graph.initializer[:]
    m.graph.initializer.extend(keep)
    for _ in range(50):
        m = onnx.shape_inference.infer_shapes(m, data_prop=True)
        known = {vi.name: _dims(vi) for vi in list(m.graph.input) + list(m.graph.value_info)}
        progress = False
        for node in m.graph.node:
            if node.op_type == "Shape" and node.output[0] not in vals and known.get(node.input[0]) is not None:
                vals[node.output[0]] = np.array(known[node.input[0]], dtype=np.int64)
                progress = True
            elif all(o not in vals for o in node.output) and len(node.output) == 1:
                try:
                    v = _eval_small(node, vals)
                except Exception:
                    v = None
                if v is not None and np.asarray(v).size <= _FOLD_MAX:
                    vals[node.output[0]] = np.asarray(v)
                    progress = True
        if not progress:
            break
        # materialize folded values as initializers so shape inference sees them
        have = {i.name for i in m.graph.initializer}
        nodes = [n for n in m.graph.node if not (len(n.output) == 1 and n.output[0] in vals)]
        for name, v in vals.items():
            if name not in have:
                m.graph.initializer.append(numpy_helper.from_array(np.asarray(v), name))
        del m.graph.node[:]
        m.graph.node.extend(nodes)
        del m.graph.value_info[:]
    return m


def count_macs(model_path, shapes):
    """MACs of Conv/Gemm/MatMul in the ONNX graph with inputs pinned to `shapes`."""
    m = _pinned_shape_model(model_path, shapes)
    known = {}
    for vi in list(m.graph.input) + list(m.graph.value_info) + list(m.graph.output):
        known[vi.name] = _dims(vi)
    for init in m.graph.initializer:
        known[init.name] = list(init.dims)

    by_op = {"Conv": 0, "Gemm": 0, "MatMul": 0}
    unresolved = []
    for node in m.graph.node:
        if node.op_type not in by_op:
            continue
        ins = [known.get(n) for n in node.input]
        outs = [known.get(n) for n in node.output]
        if any(x is None for x in ins[:2]) or outs[0] is None:
            unresolved.append(node.name or node.op_type)
            continue
        if node.op_type == "Conv":
            w = ins[1]  # [Cout, Cin/group, kh, kw]
            macs = int(np.prod(outs[0])) * int(np.prod(w[1:]))
        elif node.op_type == "Gemm":
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            a = ins[0]
            k = a[0] if attrs.get("transA", 0) else a[1]
            macs = int(np.prod(outs[0])) * k
        else:  # MatMul with numpy broadcasting; K is the last dim of A
            a = ins[0]
            k = a[-1]
            macs = int(np.prod(outs[0])) * k
        by_op[node.op_type] += macs
    if unresolved:
        raise RuntimeError(f"{model_path}: unresolved shapes for {len(unresolved)} nodes, e.g. {unresolved[:5]}")
    return sum(by_op.values()), by_op


def shape_key(shapes):
    return ",".join(f"{k}:{'x'.join(map(str, v))}" for k, v in shapes.items())


def write_sidecar(name, onnx_path, cases, analytic=None):
    entries = {}
    for shapes, batch in cases:
        macs, by_op = count_macs(onnx_path, shapes)
        e = {"batch": batch, "shapes": shapes, "macs": macs, "flops": 2 * macs,
             "macs_by_op": by_op, "flops_per_item": 2 * macs / batch}
        if analytic:
            e["analytic_flops"] = 2 * analytic(shapes)
        entries[shape_key(shapes)] = e
    side = {
        "model": name,
        "onnx": os.path.basename(onnx_path),
        "opset": OPSET,
        "bytes": os.path.getsize(onnx_path),
        "flops_method": "2 x MACs of Conv/Gemm/MatMul nodes, counted by walking the exported ONNX graph "
                        "with inputs pinned to each shape, onnx.shape_inference.infer_shapes(data_prop=True) alternated with "
                        "numpy folding of the small shape-arithmetic subgraph until all shapes are static; other ops ignored",
        "cases": entries,
    }
    path = os.path.splitext(onnx_path)[0] + ".json"
    with open(path, "w") as f:
        json.dump(side, f, indent=2)
        f.write("\n")
    for k, e in entries.items():
        extra = f" (analytic {e['analytic_flops']/1e9:.3f})" if "analytic_flops" in e else ""
        print(f"  {name} {k}: {e['flops']/1e9:.3f} GFLOP{extra}")
    return path


# ----------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--models", default="resnet50,mobilenet_v2,bert_base")
    ap.add_argument("--force", action="store_true", help="re-export even if the .onnx exists")
    ap.add_argument("--flops-only", action="store_true", help="only (re)write the FLOP sidecars")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    for name in args.models.split(","):
        path = os.path.join(args.out, name + ".onnx")
        torch.manual_seed(0)
        if args.force or not os.path.exists(path):
            if args.flops_only:
                sys.exit(f"{path} missing")
            t0 = time.time()
            print(f"exporting {name} -> {path}")
            if name == "bert_base":
                export_bert(path)
            elif name in ("resnet50", "mobilenet_v2"):
                export_cnn(name, path)
            else:
                sys.exit(f"unknown model {name}")
            onnx.checker.check_model(path)
            print(f"  {os.path.getsize(path)/1e6:.1f} MB, checker OK, {time.time()-t0:.1f}s")
        else:
            print(f"{path} exists (use --force to re-export)")
        if name == "bert_base":
            cases = [({"input_ids": [b, BERT_SEQ], "attention_mask": [b, BERT_SEQ]}, b) for b in BERT_BATCHES]
            write_sidecar(name, path, cases,
                          analytic=lambda s: bert_analytic_macs(s["input_ids"][0], s["input_ids"][1]))
        else:
            cases = [({"input": [b, 3, 224, 224]}, b) for b in CNN_BATCHES]
            write_sidecar(name, path, cases)


if __name__ == "__main__":
    main()
