#!/usr/bin/python3
"""trtserve vs ONNX Runtime (CPU), side by side in one run; writes benchmarks/RESULTS.md.

    benchmarks/run_peer_comparison.sh [options]      (wrapper: /usr/bin/python3 this file)

Builds nothing: expects build/server/trtserve (override with --trtserve). Exports the
models with benchmarks/models/export_models.py if they are missing and installs the
pinned onnxruntime-node into benchmarks/peers/node_modules if it is missing (the only
step that needs the npm registry; afterwards everything runs offline).

For every case (model, batch, threads) the two tools run back to back, the order
alternating between cases, so both see the same machine state. Each run is capped at
--case-timeout-s seconds; a run that is killed is reported as a timeout, and a trtserve
case whose per-iteration time, extrapolated from a smaller batch of the same model and
thread count, would not fit in the cap is skipped (reported as such; no number is
invented). If build/server/trtserve has no `bench` subcommand the trtserve column says
so and only ONNX Runtime is measured.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from results_md import write_section  # benchmarks/results_md.py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS_DIR = os.path.join(HERE, "models", "out")
PEERS = os.path.join(HERE, "peers")
PY = "/usr/bin/python3"

# model -> (onnx file, [(batch, shapes-string)], int64 inputs)
def case_table(bert_seq):
    cnn = lambda b: f"input:{b}x3x224x224"
    bert = lambda b: f"input_ids:{b}x{bert_seq},attention_mask:{b}x{bert_seq}"
    return {
        "resnet50": ("resnet50.onnx", [(1, cnn(1)), (32, cnn(32))], []),
        "mobilenet_v2": ("mobilenet_v2.onnx", [(1, cnn(1)), (32, cnn(32))], []),
        "bert_base": ("bert_base.onnx", [(1, bert(1)), (8, bert(8))], ["input_ids", "attention_mask"]),
    }


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def shape_key(spec):
    return ",".join(p.strip() for p in spec.split(","))


def run_capped(cmd, timeout_s, cwd=None):
    """Run cmd in its own process group; kill the group on timeout. -> (rc|None, out, err, secs)"""
    t0 = time.time()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout_s)
        return p.returncode, out, err, time.time() - t0
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return None, out, err, time.time() - t0


def ensure_setup(args):
    peers_mod = os.path.join(PEERS, "node_modules", "onnxruntime-node", "package.json")
    if not os.path.exists(peers_mod):
        log("installing onnxruntime-node (npm install --ignore-scripts in benchmarks/peers)")
        subprocess.check_call(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=PEERS)
    names = [m for m in args.models.split(",")]
    missing = [m for m in names if not os.path.exists(os.path.join(MODELS_DIR, m + ".onnx"))
               or not os.path.exists(os.path.join(MODELS_DIR, m + ".json"))]
    if missing:
        log(f"exporting models: {','.join(missing)}")
        subprocess.check_call([PY, os.path.join(HERE, "models", "export_models.py"), "--models", ",".join(missing)])
    with open(peers_mod) as f:
        return json.load(f)["version"]


def trtserve_bench_available(binary):
    if not os.path.exists(binary):
        return False, f"{os.path.relpath(binary, ROOT)} not found (build it first)"
    try:
        r = subprocess.run([binary, "bench", "--help"], capture_output=True, text=True, timeout=30)
    except Exception as e:  # noqa: BLE001
        return False, f"`trtserve bench --help` failed: {e}"
    # CLI11 answers `--help` before it rejects an unknown subcommand, so a build without
    # `bench` exits 0 with the top-level help: look for bench's own --shapes option.
    if r.returncode != 0 or "--shapes" not in (r.stdout + r.stderr):
        return False, "this trtserve build has no `bench` subcommand yet"
    return True, ""


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def estimate_peak_per_core():
    """FP32 FMA peak per core from /proc/cpuinfo: FLOP/cycle from the widest FMA ISA (assumes
    two FMA units: AVX-512 64, AVX2+FMA 32, SSE 8) x the 'cpu MHz' reported (nominal, no
    turbo). -> (GFLOP/s, explanation)"""
    flags, mhz = set(), None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
                elif line.startswith("cpu MHz") and mhz is None:
                    mhz = float(line.split(":", 1)[1])
    except OSError:
        pass
    if "avx512f" in flags:
        fpc, isa = 64, "AVX-512: 2 FMA units x 16 lanes x 2"
    elif "avx2" in flags and "fma" in flags:
        fpc, isa = 32, "AVX2: 2 FMA units x 8 lanes x 2"
    else:
        fpc, isa = 8, "SSE: 2 x 4 lanes"
    if not mhz:
        return 100.0, "cpu MHz unknown; assumed 100 GFLOP/s"
    ghz = mhz / 1000.0
    return fpc * ghz, f"{fpc} FLOP/cycle ({isa}) x {ghz:.2f} GHz ('cpu MHz' in /proc/cpuinfo, turbo not counted)"


def git_rev():
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except Exception:  # noqa: BLE001
        return "unknown"


def load_result(path, rc, out, err, secs, timeout_s):
    if rc is None:
        return {"status": "timeout", "detail": f"killed after {secs:.0f} s (cap {timeout_s:.0f} s)"}
    if rc != 0:
        tail = (err or out or "").strip().splitlines()[-3:]
        return {"status": "error", "detail": f"exit {rc}: " + " | ".join(tail)}
    try:
        with open(path) as f:
            res = json.load(f)
    except Exception as e:  # noqa: BLE001
        return {"status": "error", "detail": f"no/invalid JSON: {e}"}
    res["status"] = "ok"
    res["wall_s"] = round(secs, 1)
    return res


def fmt(x, spec):
    return "—" if x is None else format(x, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trtserve", default=os.path.join(ROOT, "build", "server", "trtserve"))
    ap.add_argument("--models", default="resnet50,mobilenet_v2,bert_base")
    ap.add_argument("--threads", default="1,2", help="comma list (default 1,2)")
    ap.add_argument("--batches", default="", help="restrict to these batch sizes (comma list)")
    ap.add_argument("--bert-seq", type=int, default=128)
    ap.add_argument("--warmup-ms", type=int, default=1000)
    ap.add_argument("--duration-s", type=float, default=3.0)
    ap.add_argument("--min-iterations", type=int, default=3,
                    help="floor on timed runs for both tools (trtserve: --iterations)")
    ap.add_argument("--case-timeout-s", type=float, default=300.0, help="cap per tool per case")
    ap.add_argument("--budget-s", type=float, default=1140.0,
                    help="wall-clock budget for the sweep; trtserve runs are capped/skipped to keep the "
                         "remaining ORT runs inside it (default 19 min)")
    ap.add_argument("--ort-reserve-s", type=float, default=25.0,
                    help="time kept in the budget per ORT run still to come")
    ap.add_argument("--peak-gflops-per-core", type=float, default=0.0,
                    help="FP32 FMA peak per core for the '%% peak' column (default: estimated from "
                         "/proc/cpuinfo ISA flags x cpu MHz)")
    ap.add_argument("--ort-only", action="store_true", help="do not run trtserve")
    ap.add_argument("--trtserve-extra", default="", help="extra args for `trtserve bench` (shell-quoted)")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--raw", default=os.path.join(HERE, "results", "peer_comparison.json"))
    args = ap.parse_args()
    command = "benchmarks/run_peer_comparison.sh" + "".join(" " + shlex.quote(a) for a in sys.argv[1:])

    t_start = time.time()
    if args.peak_gflops_per_core > 0:
        peak_core, peak_why = args.peak_gflops_per_core, "given with --peak-gflops-per-core"
    else:
        peak_core, peak_why = estimate_peak_per_core()
    load_start = os.getloadavg()
    ort_version = ensure_setup(args)
    if args.ort_only:
        trt_ok, trt_why = False, "not run (--ort-only)"
    else:
        trt_ok, trt_why = trtserve_bench_available(args.trtserve)
    if not trt_ok:
        log(f"trtserve column: {trt_why}")

    threads = [int(t) for t in args.threads.split(",") if t]
    batches = {int(b) for b in args.batches.split(",") if b}
    table = case_table(args.bert_seq)
    tmp = tempfile.mkdtemp(prefix="peer_bench_")
    rows = []
    # trtserve per-item seconds per (model, threads), from the largest finished batch
    per_item = {}
    order_flip = False
    n_cases = sum(1 for m in args.models.split(",") for b, _ in table[m][1]
                  if not batches or b in batches) * len(threads)
    ort_left = [n_cases]
    deadline = t_start + args.budget_s
    for model in args.models.split(","):
        onnx_file, shape_cases, int64 = table[model]
        onnx_path = os.path.join(MODELS_DIR, onnx_file)
        with open(os.path.join(MODELS_DIR, model + ".json")) as f:
            sidecar = json.load(f)
        for batch, shapes in shape_cases:
            if batches and batch not in batches:
                continue
            flops = sidecar["cases"].get(shape_key(shapes), {}).get("flops")
            for th in threads:
                row = {"model": model, "batch": batch, "threads": th, "shapes": shapes, "flops": flops}
                ort_json = os.path.join(tmp, f"ort_{model}_{batch}_{th}.json")
                trt_json = os.path.join(tmp, f"trt_{model}_{batch}_{th}.json")
                ort_cmd = ["node", os.path.join(PEERS, "ort_bench.js"), onnx_path, "--shapes", shapes,
                           "--threads", str(th), "--warmup-ms", str(args.warmup_ms),
                           "--duration-s", str(args.duration_s), "--min-iterations", str(args.min_iterations),
                           "--json", ort_json]
                if int64:
                    ort_cmd += ["--int64-inputs", ",".join(int64)]
                trt_cmd = [args.trtserve, "bench", onnx_path, f"--shapes={shapes}", "--threads", str(th),
                           "--warmup-ms", str(args.warmup_ms), "--duration-s", str(args.duration_s),
                           "--iterations", str(args.min_iterations), "--json", trt_json] + shlex.split(args.trtserve_extra)

                def run_ort():
                    log(f"ORT      {model} b={batch} t={th}")
                    r = run_capped(ort_cmd, args.case_timeout_s, cwd=PEERS)
                    row["ort"] = load_result(ort_json, *r, args.case_timeout_s)
                    ort_left[0] -= 1

                def run_trt():
                    if not trt_ok:
                        row["trtserve"] = {"status": "n/a", "detail": trt_why}
                        return
                    est, bound = per_item.get((model, th), (None, ""))
                    # what is left of the budget after the ORT runs still to come
                    cap = min(args.case_timeout_s, deadline - time.time() - args.ort_reserve_s * ort_left[0])
                    if cap < min(10.0, args.case_timeout_s):
                        row["trtserve"] = {"status": "skipped",
                                           "detail": f"sweep budget (--budget-s {args.budget_s:.0f}) used up"}
                        log(f"trtserve {model} b={batch} t={th}: skipped (budget)")
                        return
                    # warm-up (>= 1 run) + the floor of timed runs must fit in the cap; for very
                    # slow cases the floor drops to a single timed run before giving up
                    floor = args.min_iterations
                    if est is not None and est != float("inf") and (1 + floor) * est * batch > cap:
                        floor = 1
                    runs = 1 + floor
                    if est is not None and runs * est * batch > cap:
                        why = (f"the smaller {bound}" if est == float("inf") else
                               f"~{est * batch:.0f} s/iteration extrapolated linearly from a smaller batch; "
                               f"{runs} runs exceed the {cap:.0f} s cap")
                        row["trtserve"] = {"status": "skipped", "detail": why}
                        log(f"trtserve {model} b={batch} t={th}: skipped ({row['trtserve']['detail']})")
                        return
                    log(f"trtserve {model} b={batch} t={th}")
                    cmd = list(trt_cmd)
                    cmd[cmd.index("--iterations") + 1] = str(floor)
                    if floor != args.min_iterations:
                        row["trtserve_note"] = f"timed-run floor lowered to {floor} (slow case)"
                    r = run_capped(cmd, cap, cwd=ROOT)
                    row["trtserve"] = load_result(trt_json, *r, cap)
                    if row["trtserve"]["status"] == "ok":
                        per_item[(model, th)] = (row["trtserve"]["latency_ms"]["median"] / 1000.0 / batch, "")
                    elif row["trtserve"]["status"] == "timeout":
                        per_item[(model, th)] = (float("inf"), f"batch {batch} timed out")

                for fn in ((run_ort, run_trt) if order_flip else (run_trt, run_ort)):
                    fn()
                order_flip = not order_flip
                for k in ("ort", "trtserve"):
                    r = row[k]
                    if r.get("status") == "ok":
                        log(f"   {k}: median {r['latency_ms']['median']:.2f} ms, "
                            f"{r['throughput_items_per_s']:.2f} items/s ({r['iterations']} it)")
                    else:
                        log(f"   {k}: {r['status']} {r.get('detail', '')}")
                rows.append(row)

    elapsed = time.time() - t_start
    shutil.rmtree(tmp, ignore_errors=True)
    meta = {
        "command": command,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "ort_version": ort_version,
        "node_version": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
        "git": git_rev(),
        "trtserve": os.path.relpath(args.trtserve, ROOT),
        "trtserve_available": trt_ok,
        "trtserve_note": trt_why,
        "warmup_ms": args.warmup_ms,
        "duration_s": args.duration_s,
        "min_iterations": args.min_iterations,
        "case_timeout_s": args.case_timeout_s,
        "budget_s": args.budget_s,
        "peak_gflops_per_core": round(peak_core, 1),
        "peak_note": peak_why,
        "bert_seq": args.bert_seq,
        "raw": os.path.relpath(args.raw, ROOT),
        "elapsed_s": round(elapsed, 1),
        "loadavg_start": [round(x, 2) for x in load_start],
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
    }
    os.makedirs(os.path.dirname(args.raw), exist_ok=True)
    with open(args.raw, "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1)
        f.write("\n")
    write_markdown(args.out, meta, rows)
    log(f"wrote {os.path.relpath(args.out, ROOT)} and {os.path.relpath(args.raw, ROOT)} ({elapsed:.0f} s)")


def write_markdown(path, meta, rows):
    peak_core = meta["peak_gflops_per_core"]
    L = []
    L.append("# trtserve vs ONNX Runtime (CPU) — peer comparison\n")
    L.append("Generated by `benchmarks/run_peer_comparison.sh`; do not edit by hand.\n")
    L.append(f"- Command: `{meta['command']}` (from the repository root)")
    L.append(f"- Date: {meta['date']}; wall time of the sweep {meta['elapsed_s']:.0f} s")
    L.append(f"- CPU: {meta['cpu']} — {meta['cores']} logical cores visible; 1-min load average "
             f"{meta['loadavg_start'][0]:.1f} at start, {meta['loadavg_end'][0]:.1f} at end (a load above the "
             "core count means other jobs shared the CPU: numbers are noisy, and 2-thread runs suffer most)")
    L.append(f"- ONNX Runtime: onnxruntime-node {meta['ort_version']} (CPU EP, graphOptimizationLevel 'all', "
             f"interOpNumThreads 1, sequential), Node {meta['node_version']}")
    L.append(f"- trtserve: `{meta['trtserve']} bench` at commit {meta['git']}"
             + ("" if meta["trtserve_available"] else f" — **not measured: {meta['trtserve_note']}**"))
    L.append(f"- Per run: warm-up {meta['warmup_ms']} ms, then timed runs for {meta['duration_s']} s "
             f"(at least {meta['min_iterations']} runs); each tool/case capped at {meta['case_timeout_s']:.0f} s, "
             f"trtserve runs further capped to keep the sweep within {meta['budget_s']:.0f} s")
    L.append(f"- Peak used for '% peak': {peak_core:.0f} GFLOP/s per core × threads (FP32 FMA: {meta['peak_note']}; "
             "approximate, all-core turbo can exceed it)")
    L.append("")
    if not meta["trtserve_available"]:
        L.append("> **The trtserve columns are empty on purpose.** They are produced by the same command "
                 "once `trtserve bench` exists in the build; no trtserve number here is estimated or invented.\n")
    L.append("Latency: median ms per `run` of the whole batch; ratio = trtserve / ORT (< 1 means trtserve is "
             "faster). Throughput: items/s = batch / mean latency; ratio = trtserve / ORT (> 1 means trtserve "
             "is faster). GFLOP/s = model FLOPs at that shape / median latency.\n")
    L.append("| model | batch | threads | GFLOP/run | trtserve median ms | ORT median ms | latency ratio "
             "| trtserve items/s | ORT items/s | throughput ratio | trtserve GFLOP/s (% peak) "
             "| ORT GFLOP/s (% peak) |")
    L.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    notes = []
    for r in rows:
        peak = peak_core * r["threads"]
        gf = r["flops"] / 1e9 if r["flops"] else None

        def cols(res, tag):
            if res.get("status") != "ok":
                if res.get("status") not in ("n/a",):
                    notes.append(f"{r['model']} b={r['batch']} t={r['threads']} {tag}: "
                                 f"{res.get('status')} — {res.get('detail', '')}")
                label = {"n/a": "n/a", "timeout": "timeout", "skipped": "skipped", "error": "error"}
                return label.get(res.get("status"), "?"), None, None, None
            med = res["latency_ms"]["median"]
            thr = res["throughput_items_per_s"]
            gfs = gf / (med / 1000.0) if gf else None
            cell = f"{gfs:.1f} ({100 * gfs / peak:.0f}%)" if gfs is not None else "—"
            return f"{med:.2f}", med, thr, cell

        if r.get("trtserve_note"):
            notes.append(f"{r['model']} b={r['batch']} t={r['threads']} trtserve: {r['trtserve_note']}")
        t_s, t_med, t_thr, t_g = cols(r["trtserve"], "trtserve")
        o_s, o_med, o_thr, o_g = cols(r["ort"], "ORT")
        lat_ratio = fmt(t_med / o_med if t_med and o_med else None, ".2f")
        thr_ratio = fmt(t_thr / o_thr if t_thr and o_thr else None, ".3f")
        L.append(f"| {r['model']} | {r['batch']} | {r['threads']} | {fmt(gf, '.2f')} | {t_s} | {o_s} | {lat_ratio} "
                 f"| {fmt(t_thr, '.2f') if t_thr else '—'} | {fmt(o_thr, '.2f') if o_thr else '—'} | {thr_ratio} "
                 f"| {t_g if t_med else '—'} | {o_g if o_med else '—'} |")
    L.append("")
    L.append("Per-run details (min/mean/p90/p99, iteration counts) are in "
             f"`{meta['raw']}`, same schema as `trtserve bench --json`.\n")
    if notes:
        L.append("Notes on individual cases:\n")
        L.extend(f"- {n}" for n in notes)
        L.append("")
    L.append("Models: random weights, exported by `benchmarks/models/export_models.py` (opset 13, dynamic "
             "batch/seq; CNN BatchNorm statistics re-estimated on random images). BERT runs at seq "
             f"{meta['bert_seq']} "
             "with an all-ones attention mask. FLOPs are 2 × the multiply-adds of the Conv/Gemm/MatMul nodes "
             "of the exported graph at each shape (see the model's sidecar JSON).")
    write_section(path, "peer-comparison", "\n".join(L))


if __name__ == "__main__":
    main()
