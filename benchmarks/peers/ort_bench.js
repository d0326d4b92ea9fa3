#!/usr/bin/env node
// ONNX Runtime (CPU, onnxruntime-node) latency/throughput benchmark with the same JSON
// schema as `trtserve bench --json`.
//
//   node ort_bench.js MODEL.onnx --shapes input:1x3x224x224[,name:dims...]
//        [--int64-inputs input_ids,attention_mask] [--threads N] [--warmup-ms N]
//        [--duration-s S] [--min-iterations N] [--iterations N] [--json FILE]
//
// Session: graphOptimizationLevel 'all', intraOpNumThreads N, interOpNumThreads 1,
// executionMode 'sequential', CPU execution provider.
// Inputs: float32 ~ N(0,1); int64 inputs whose name contains "mask" are all ones, other
// int64 inputs are uniform in [0, --int-high) (default 30522, BERT's vocab).
// Timing: warm up for --warmup-ms (at least one run), then time each session.run()
// until --duration-s has passed and at least --min-iterations runs were done (or exactly
// --iterations runs if given). Latencies in ms; throughput = batch / mean latency (items/s),
// batch = dim 0 of the first input.
'use strict';

const fs = require('fs');
const path = require('path');

function usage(msg) {
  if (msg) process.stderr.write(`ort_bench: ${msg}\n`);
  process.stderr.write(
    'usage: ort_bench.js MODEL.onnx --shapes name:AxBxC[,name:dims] [--int64-inputs a,b] ' +
      '[--threads N] [--warmup-ms N] [--duration-s S] [--min-iterations N] [--iterations N] ' +
      '[--int-high N] [--json FILE]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    model: null, shapes: null, int64: new Set(), threads: 1, warmupMs: 1000, durationS: 3,
    minIterations: 3, iterations: 0, intHigh: 30522, json: null,
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v = null;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { v = a.slice(eq + 1); a = a.slice(0, eq); }
    const val = () => {
      if (v !== null) return v;
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--shapes': o.shapes = val(); break;
      case '--int64-inputs': val().split(',').filter(Boolean).forEach((n) => o.int64.add(n)); break;
      case '--threads': o.threads = parseInt(val(), 10); break;
      case '--warmup-ms': o.warmupMs = parseFloat(val()); break;
      case '--duration-s': o.durationS = parseFloat(val()); break;
      case '--min-iterations': o.minIterations = parseInt(val(), 10); break;
      case '--iterations': o.iterations = parseInt(val(), 10); break;
      case '--int-high': o.intHigh = parseInt(val(), 10); break;
      case '--json': o.json = val(); break;
      case '-h': case '--help': usage(); break;
      default:
        if (a.startsWith('-')) usage(`unknown option ${a}`);
        if (o.model) usage(`unexpected argument ${a}`);
        o.model = a;
    }
  }
  if (!o.model) usage('missing MODEL.onnx');
  if (!o.shapes) usage('missing --shapes');
  if (!(o.threads >= 1)) usage('--threads must be >= 1');
  return o;
}

function parseShapes(spec) {
  const shapes = {};
  for (const part of spec.split(',').filter(Boolean)) {
    const c = part.lastIndexOf(':');
    if (c <= 0) usage(`bad shape "${part}" (want name:AxBxC)`);
    const dims = part.slice(c + 1).split('x').map((d) => parseInt(d, 10));
    if (dims.some((d) => !(d >= 0))) usage(`bad dims in "${part}"`);
    shapes[part.slice(0, c)] = dims;
  }
  return shapes;
}

// xorshift32 + Box-Muller: deterministic inputs without pulling in a dependency.
let rngState = 0x9e3779b9;
function rand() {
  rngState ^= rngState << 13; rngState >>>= 0;
  rngState ^= rngState >>> 17;
  rngState ^= rngState << 5; rngState >>>= 0;
  return (rngState + 0.5) / 4294967296;
}
function randn() {
  return Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
}

function makeFeeds(ort, shapes, int64, intHigh, inputMeta) {
  const feeds = {};
  for (const [name, dims] of Object.entries(shapes)) {
    const n = dims.reduce((a, b) => a * b, 1);
    let isInt = int64.has(name);
    if (!isInt && inputMeta && inputMeta[name] && /int64/.test(String(inputMeta[name].type))) isInt = true;
    if (isInt) {
      const data = new BigInt64Array(n);
      const mask = /mask/i.test(name);
      for (let i = 0; i < n; i++) data[i] = mask ? 1n : BigInt(Math.floor(rand() * intHigh));
      feeds[name] = new ort.Tensor('int64', data, dims);
    } else {
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = randn();
      feeds[name] = new ort.Tensor('float32', data, dims);
    }
  }
  return feeds;
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  // Linear interpolation between closest ranks (numpy's default), as trtserve bench does.
  const pct = (p) => {
    const idx = (p / 100) * (n - 1);
    const lo = Math.floor(idx);
    const hi = Math.min(lo + 1, n - 1);
    return s[lo] + (s[hi] - s[lo]) * (idx - lo);
  };
  const mean = s.reduce((a, b) => a + b, 0) / n;
  return { min: s[0], mean, median: pct(50), p90: pct(90), p99: pct(99) };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const shapes = parseShapes(o.shapes);
  const ort = require('onnxruntime-node');
  const session = await ort.InferenceSession.create(o.model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: o.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  let meta = null;
  try {
    if (Array.isArray(session.inputMetadata)) {
      meta = {};
      for (const m of session.inputMetadata) meta[m.name] = m;
    }
  } catch (e) { meta = null; }
  for (const name of Object.keys(shapes)) {
    if (!session.inputNames.includes(name)) {
      usage(`model has no input "${name}" (inputs: ${session.inputNames.join(', ')})`);
    }
  }
  const feeds = makeFeeds(ort, shapes, o.int64, o.intHigh, meta);
  const now = () => Number(process.hrtime.bigint()) / 1e6;  // ms

  // Warm-up: at least one run.
  const w0 = now();
  do { await session.run(feeds); } while (now() - w0 < o.warmupMs);

  const lat = [];
  const t0 = now();
  for (;;) {
    if (o.iterations > 0 ? lat.length >= o.iterations
                         : (lat.length >= o.minIterations && now() - t0 >= o.durationS * 1000)) break;
    const a = now();
    await session.run(feeds);
    lat.push(now() - a);
  }
  const st = stats(lat);
  const batch = Object.values(shapes)[0][0];
  const out = {
    tool: 'onnxruntime',
    model: o.model,
    shapes,
    threads: o.threads,
    iterations: lat.length,
    latency_ms: st,
    throughput_items_per_s: batch / (st.mean / 1000),
    batch,
  };
  const text = JSON.stringify(out, null, 2) + '\n';
  if (o.json) fs.writeFileSync(o.json, text);
  process.stdout.write(text);
  await session.release?.();
}

main().catch((e) => {
  process.stderr.write(`ort_bench: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
