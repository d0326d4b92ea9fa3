#!/usr/bin/python3
"""Server vs engine, side by side in one run; writes the `server` section of
benchmarks/RESULTS.md and benchmarks/results/server_benchmark.json.

Two measurements (issue: server):
  1. Throughput. resnet50 through `trtserve serve` + `trtserve-client perf` at concurrency
     1, 8 and 32 (batch 1 per request; the dynamic batcher forms the batches) against the
     engine's own `trtserve bench` on the same cached plan at batch 1, 8 and 32. Goal: at
     concurrency 32 the server reaches >= 95% of the engine's best offline throughput.
  2. Added latency. The digits model (tiny) at concurrency 1 through the server against a
     direct engine call (`trtserve bench`, batch 1, same plan). Goal: p50 added < 100 us.
     Reported twice: end to end (client p50 - engine median: gRPC, loopback, client and
     server) and inside the server (ModelStatistics: request time - compute infer time).

Same instance settings on both sides: one instance, one intra-op thread.

Usage (from the repository root, after building):
    benchmarks/run_server_benchmark.sh [--build build] [--quick]
--quick: a smoke run (latency: shorter windows; throughput: one engine iteration per batch
size and at most 3 server windows per level; noisier).
Throughput uses count windows (`--measurement-mode count_windows`) of one batch period each:
resnet50 takes minutes per batch of 32 with the reference kernels, and a time window would
catch a fraction of a batch.
"""

import argparse
import datetime
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from results_md import write_section  # benchmarks/results_md.py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"

RESNET_CONFIG = """\
# resnet50 for the server benchmark: batch 1 requests, batched by the server.
max_batch_size: 32
profiles:
  - name: latency
    shapes: {input: [1, 3, 224, 224]}
  - name: dynamic
    shapes: {input: {min: [2, 3, 224, 224], opt: [8, 3, 224, 224], max: [31, 3, 224, 224]}}
  - name: offline
    shapes: {input: [32, 3, 224, 224]}
dynamic_batching:
  max_queue_delay_us: 2000
instance_count: 1
threads: 1
warmup: {iterations: 0}
"""

DIGITS_CONFIG = """\
# digits for the added-latency benchmark: one request at a time, no queue delay.
max_batch_size: 8
profiles:
  - name: latency
    shapes: {input: [1, 1, 8, 8]}
  - name: dynamic
    shapes: {input: {min: [1, 1, 8, 8], opt: [4, 1, 8, 8], max: [8, 1, 8, 8]}}
dynamic_batching:
  max_queue_delay_us: 0
instance_count: 1
threads: 1
warmup: {iterations: 10}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, **kw):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, check=True, **kw)


def engine_bench(trtserve, plan, shape, profile, duration_s, out_json, iterations=1):
    run([trtserve, "bench", plan, f"--shapes=input:{shape}", "--profile", profile,
         "--duration-s", str(duration_s), "--iterations", str(iterations), "--warmup-ms", "0",
         "--threads", "1", "--json", out_json], stdout=subprocess.DEVNULL)
    with open(out_json) as f:
        return json.load(f)


def client_perf(client, url, model, concurrency, interval_ms, trials, warmup_ms, out_json, count=None):
    """Time windows of `interval_ms`, or count windows of `count` requests when given."""
    windows = (["--measurement-mode", "count_windows", "--measurement-request-count", str(count)]
               if count else ["-p", str(interval_ms)])
    run([client, "perf", "-u", url, "-m", model, "--concurrency-range", str(concurrency),
         "-b", "1", "--input-data", "random", *windows, "-r", str(trials),
         "--warmup-ms", str(warmup_ms), "--percentile", "50", "--timeout-ms", "0",
         "--json", out_json, "-q"], stdout=subprocess.DEVNULL)
    with open(out_json) as f:
        return json.load(f)["levels"][0]


def wait_ready(client, url, server, timeout_s):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"error: trtserve serve exited with {server.returncode}")
        r = subprocess.run([client, "status", "-u", url], capture_output=True, text=True)
        if r.returncode == 0 and "live, ready" in r.stdout:
            return
        time.sleep(0.5)
    raise SystemExit(f"error: server at {url} not ready after {timeout_s} s")


def find_plan(version_dir):
    plans = glob.glob(os.path.join(version_dir, ".trtserve-cache", "*.plan"))
    if len(plans) != 1:
        raise SystemExit(f"error: expected one cached plan under {version_dir}, found {plans}")
    return plans[0]


def items_per_s(bench):
    return bench["throughput_items_per_s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--raw", default=os.path.join(HERE, "results", "server_benchmark.json"))
    ap.add_argument("--quick", action="store_true", help="short windows (smoke run, noisy)")
    ap.add_argument("--only", choices=["all", "latency", "throughput"], default="all",
                    help="run one of the two measurements (each has its own RESULTS.md section)")
    args = ap.parse_args()

    trtserve = os.path.join(args.build, "server", "trtserve")
    client = os.path.join(args.build, "client", "trtserve-client")
    resnet = os.path.join(HERE, "models", "out", "resnet50.onnx")
    if args.only != "latency" and not os.path.exists(resnet):
        run([PY, os.path.join(HERE, "models", "export_models.py"), "--models", "resnet50"])

    work = tempfile.mkdtemp(prefix="trtserve-serverbench-")
    repo = os.path.join(work, "repo")
    models = [("digits", os.path.join(ROOT, "configs", "model_repository", "digits", "1", "model.onnx"),
               DIGITS_CONFIG)]
    if args.only != "latency":
        models.append(("resnet50", resnet, RESNET_CONFIG))
    for name, model, config in models:
        os.makedirs(os.path.join(repo, name, "1"))
        shutil.copy(model, os.path.join(repo, name, "1", "model.onnx"))
        with open(os.path.join(repo, name, "config.yaml"), "w") as f:
            f.write(config)

    url = f"127.0.0.1:{free_port()}"
    started = time.time()
    load_start = os.getloadavg()[0]
    server = subprocess.Popen([trtserve, "serve", "--model-repository", repo, "--grpc-address", url,
                               "--metrics-address", "off"],
                              stdout=open(os.path.join(work, "server.log"), "w"), stderr=subprocess.STDOUT)
    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    try:
        wait_ready(client, url, server, 600)
        digits_plan = find_plan(os.path.join(repo, "digits", "1"))
        if args.only != "throughput":
            # 2. Added latency on the tiny model (fast; done first while the machine is quiet).
            # Rounds of engine / server / empty RPC side by side; the report takes the median
            # round (by added latency beyond the transport floor) and shows the spread.
            rounds = []
            for i in range(2 if args.quick else 5):
                eng = engine_bench(trtserve, digits_plan, "1x1x8x8", "latency", 3,
                                   os.path.join(work, f"d_eng{i}.json"))
                srv = client_perf(client, url, "digits", 1, 2000 if args.quick else 3000, 3, 500,
                                  os.path.join(work, f"d_srv{i}.json"))
                ping_json = os.path.join(work, f"ping{i}.json")
                run([client, "ping", "-u", url, "-n", "2000", "--json", ping_json], stdout=subprocess.DEVNULL)
                with open(ping_json) as f:
                    ping = json.load(f)[0]
                rounds.append({"engine": eng, "server": srv, "ping": ping})
            results["latency"] = {"rounds": rounds}
        if args.only == "latency":
            return finish(args, server, work, results, started, load_start)
        r50_plan = find_plan(os.path.join(repo, "resnet50", "1"))

        # 1. Throughput on resnet50. Batch 1 first: its latency t1 sizes everything else, so
        # the run adapts to the machine (3.2 s per image with today's reference kernels).
        results["engine"] = {}
        for b, prof, iters in ((1, "latency", 1 if args.quick else 5), (8, "dynamic", 1 if args.quick else 3),
                               (32, "offline", 1 if args.quick else 2)):
            results["engine"][b] = engine_bench(trtserve, r50_plan, f"{b}x3x224x224", prof, 0,
                                                os.path.join(work, f"r_eng_{b}.json"), iterations=iters)
        t1 = results["engine"][1]["latency_ms"]["median"] / 1000.0
        # Count windows of one batch period each (c requests complete per period at
        # concurrency c), so every window spans whole batches; warm up for about one period.
        results["server"] = {}
        for c in (1, 8, 32):
            count = 5 if c == 1 else c
            results["server"][c] = client_perf(client, url, "resnet50", c, None, 3 if args.quick else 6,
                                               int(1000 * 1.2 * t1 * max(c, 2)),
                                               os.path.join(work, f"r_srv_{c}.json"), count=count)
    except BaseException:
        stop(server)
        raise
    finish(args, server, work, results, started, load_start)


def stop(server):
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=600)
    except subprocess.TimeoutExpired:
        server.kill()


def finish(args, server, work, results, started, load_start):
    stop(server)
    results["server_exit_code"] = server.returncode
    results["wall_s"] = round(time.time() - started, 1)
    results["load_avg"] = [load_start, os.getloadavg()[0]]
    os.makedirs(os.path.dirname(args.raw), exist_ok=True)
    # One raw file for both measurements: a partial run (--only) keeps the other's data.
    raw = {}
    if os.path.exists(args.raw):
        with open(args.raw) as f:
            old = json.load(f)
        raw = {k: old[k] for k in ("throughput", "latency") if k in old}
    if "engine" in results:
        raw["throughput"] = {k: v for k, v in results.items() if k != "latency"}
    if "latency" in results:
        raw["latency"] = {k: v for k, v in results.items() if k not in ("engine", "server")}
    with open(args.raw, "w") as f:
        json.dump(raw, f, indent=2)
    write_report(args, results)
    shutil.rmtree(work, ignore_errors=True)


def write_report(args, res):
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    L = ["# Server vs engine (`benchmarks/run_server_benchmark.sh`)", "",
         "Generated by `benchmarks/run_server_benchmark.sh" + (" --quick" if args.quick else "") +
         (f" --only {args.only}" if args.only != "all" else "") + "`" +
         "; do not edit by hand.", "",
         f"- Date: {res['date']}; commit {commit}; wall time {res['wall_s']} s; 1-min load average "
         f"{res['load_avg'][0]:.1f} at start, {res['load_avg'][1]:.1f} at end (2 cores; noisy shared machine)",
         "- Engine: `trtserve bench PLAN --shapes=input:B... --profile P --threads 1` on the plan the server "
         "cached; server: `trtserve serve` (1 instance, 1 thread) + `trtserve-client perf -b 1 "
         "--concurrency-range C --percentile 50`, same plan, same machine, one run", ""]
    header = L
    if "engine" in res:
        write_section(args.out, "server-throughput", "\n".join(header + throughput_lines(res)))
    if "latency" in res:
        write_section(args.out, "server-latency", "\n".join(header + latency_lines(res)))


def throughput_lines(res):
    L = []
    eng = res["engine"]
    best_b = max(eng, key=lambda b: items_per_s(eng[b]))
    best = items_per_s(eng[best_b])
    L += ["## resnet50 throughput", "",
          "| engine batch | engine items/s | engine median latency (s) | | server concurrency | server infer/s "
          "| client p50 latency (s) | mean executed batch | windows | % of engine best |",
          "|--:|--:|--:|---|--:|--:|--:|--:|---|--:|"]
    for (b, e), (c, s) in zip(sorted(eng.items(), key=lambda kv: int(kv[0])),
                              sorted(res["server"].items(), key=lambda kv: int(kv[0]))):
        tput = s["client"]["throughput_infer_per_s"]
        windows = f"{s['trials']}, {'stable' if s['stable'] else 'unstable'}"
        L.append(f"| {b} | {items_per_s(e):.3f} | {e['latency_ms']['median'] / 1000:.1f} | | {c} | {tput:.3f} | "
                 f"{s['client']['latency']['p50_us'] / 1e6:.1f} | {s['server']['mean_batch_size']:.1f} | "
                 f"{windows} | {100.0 * tput / best:.0f}% |")
    c32 = res["server"][32]["client"]["throughput_infer_per_s"]
    halved = [c for c, s in res["server"].items() if int(c) > 1 and s["server"]["mean_batch_size"] < 0.75 * int(c)]
    if halved:
        L += ["", "Mean executed batch below the concurrency (" + ", ".join(f"concurrency {c}" for c in halved) +
              "): the preferred batch sizes default to the profiles' opt sizes (1, 8, 32), so an instance "
              "that frees up sends the one request already queued at once (preferred size 1 reached), then "
              "the C-1 that come back meanwhile: batches alternate 1 and C-1. Whether larger batches pay "
              "off depends on the kernels (compare the engine column: items/s per batch size); where "
              "they do, for throughput-bound serving set `preferred_batch_sizes: [32]` (or drop the "
              "batch-1 profile)."]
    L += ["", "Server throughput is measured with count windows of one batch period each "
          "(`--measurement-mode count_windows --measurement-request-count C`, 5 at concurrency 1) and "
          "reported over the last three windows; `trtserve bench` times whole iterations."]
    L += ["", f"Engine best offline throughput: {best:.3f} items/s (batch {best_b}). Server at concurrency 32: "
          f"{c32:.3f} infer/s = **{100.0 * c32 / best:.0f}%** (goal >= 95%).", "",
          f"Raw data: `benchmarks/results/server_benchmark.json` (key `throughput`). Server exit code after SIGTERM: "
          f"{res['server_exit_code']}."]
    return L


def round_numbers(r):
    """The derived numbers (us) of one latency round."""
    eng = r["engine"]["latency_ms"]["median"] * 1000.0
    client_p50 = r["server"]["client"]["latency"]["p50_us"]
    sv = r["server"]["server"]
    floor = r["ping"]["rtt_us"]["p50"]
    return {"engine": eng, "client_p50": client_p50, "added": client_p50 - eng, "floor": floor,
            "beyond_floor": client_p50 - eng - floor, "inside": sv["request_us"] - sv["compute_infer_us"]}


def latency_lines(res):
    rounds = res["latency"]["rounds"]
    nums = [round_numbers(r) for r in rounds]
    order = sorted(range(len(rounds)), key=lambda i: nums[i]["beyond_floor"])
    mid = order[len(order) // 2]
    m, r = nums[mid], rounds[mid]
    sv, cl = r["server"]["server"], r["server"]["client"]

    def spread(key):
        vals = sorted(n[key] for n in nums)
        return f"{vals[0]:.1f} .. {vals[-1]:.1f}"

    L = ["## Added latency, digits (tiny model), batch 1, concurrency 1", "",
         f"{len(rounds)} rounds, each: `trtserve bench` (3 s), `trtserve-client perf` at concurrency 1, "
         "`trtserve-client ping` (2000 empty round trips). The median round (by the added latency beyond the "
         "transport floor) and the range over all rounds:", "",
         "| measure | median round, us | range, us |", "|---|--:|--:|",
         f"| engine: direct ExecutionContext run (`trtserve bench`, median) | {m['engine']:.1f} | {spread('engine')} |",
         f"| server end to end (client p50: gRPC + loopback + client + server) | {m['client_p50']:.1f} | "
         f"{spread('client_p50')} |",
         f"| added end to end (client p50 - engine median) | **{m['added']:.1f}** | {spread('added')} |",
         f"| of which the transport floor: an empty RPC round trip (`trtserve-client ping`, ServerLive p50) | "
         f"{m['floor']:.1f} | {spread('floor')} |",
         f"| added beyond the transport floor (added end to end - ping p50) | **{m['beyond_floor']:.1f}** | "
         f"{spread('beyond_floor')} |",
         f"| inside the server (ModelStatistics mean request time - mean compute infer) | **{m['inside']:.1f}** | "
         f"{spread('inside')} |",
         "", f"Server breakdown of the median round (means, us): queue {sv['queue_us']:.1f}, compute input "
         f"{sv['compute_input_us']:.1f}, compute infer {sv['compute_infer_us']:.1f}, compute output "
         f"{sv['compute_output_us']:.1f}; client send {cl['client_send_us']:.1f}, client recv "
         f"{cl['client_recv_us']:.1f}. Goal: added p50 < 100 us.", "",
         f"An empty gRPC round trip alone takes {m['floor']:.0f} us p50 (min {r['ping']['rtt_us']['min']:.0f}) "
         "with Debian's gRPC on this machine (a synchronous-API gRPC server measures the same), so end to end "
         "nothing served over gRPC here adds less than that; the server's own share is the last two rows.", "",
         f"Raw data: `benchmarks/results/server_benchmark.json` (key `latency`). Server exit code after "
         f"SIGTERM: {res['server_exit_code']}."]
    return L


if __name__ == "__main__":
    main()
