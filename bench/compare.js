#!/usr/bin/env node
// bench/compare.js: facet vs onnxruntime-node on the same models and the same input bytes.
//
// For every model and thread count (1 and 2), runs `facet bench --json` and an onnxruntime-node
// worker (this file with --ort-worker) alternately, --rounds times each, every run in a fresh
// process, and prints per model: both medians (the best round's), the ratio facet/ort, facet's
// GFLOP/s, and both processes' peak RSS (VmHWM read by each process at its end). Prints a
// markdown table with the machine, date and commit (for bench/README.md); --json-out FILE also
// writes everything as JSON.
//
// Usage: bench/compare [--facet BIN] [--models DIR] [--threads 1,2] [--rounds N] [--runs N]
//                      [--budget SECONDS] [--only NAME,...] [--json-out FILE]
'use strict';

const { spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const HERE = __dirname;
const REPO = path.resolve(HERE, '..');

// name, where the model comes from, input shape (NCHW). Shared models are relative to the
// models folder (facet's search path: --models, $FACET_MODELS, ../shared/models).
const MODELS = [
  { name: 'mobilenet_v1_1.0_120', make: { width: '1.0', size: 120 }, shape: [1, 3, 120, 120] },
  { name: 'mobilenet_v1_1.0_224', make: { width: '1.0', size: 224 }, shape: [1, 3, 224, 224] },
  { name: 'yunet_320', file: 'detection/yunet_s_320x320.onnx', shape: [1, 3, 320, 320] },
  { name: 'ultraface_320x240', file: 'detection/ultraface_rfb_320x240_simplified.onnx', shape: [1, 3, 240, 320] },
  { name: '3ddfa_mb05_120', file: 'tddfa/tddfa_v2_mb05_120x120.onnx', shape: [1, 3, 120, 120] },
  { name: 'pfld_112', file: 'landmarks/pfld_ghostone_98pt_112x112.onnx', shape: [1, 3, 112, 112] },
  { name: 'espnet_512x1024', file: 'segmentation/espnet_p2q8_cityscapes.onnx', shape: [1, 3, 512, 1024] },
  { name: 'style_matta_512', file: 'style/fast_style_matta.onnx', shape: [1, 3, 512, 512] },
];

function readVmHwmKb() {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : -1;
  } catch (e) {
    return -1;
  }
}

function summarize(times) {
  const s = [...times].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  const p90 = s[Math.min(n, Math.max(1, Math.ceil(0.9 * n))) - 1];
  return { median_ms: median, min_ms: s[0], p90_ms: p90, mean_ms: s.reduce((a, b) => a + b, 0) / n };
}

// ---- the onnxruntime side, in its own process ----
async function ortWorker(cfg) {
  const ort = require('onnxruntime-node');
  const baselineKb = readVmHwmKb();  // node + the onnxruntime addon, no session yet
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(cfg.model, {
    intraOpNumThreads: cfg.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const bytes = fs.readFileSync(cfg.input);
  const data = new Float32Array(bytes.byteLength / 4);
  Buffer.from(data.buffer).set(bytes);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, cfg.shape) };
  for (let i = 0; i < cfg.warmup; ++i) await session.run(feeds);
  const times = new Array(cfg.runs);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < cfg.runs; ++i) {
    const a = process.hrtime.bigint();
    await session.run(feeds);
    times[i] = Number(process.hrtime.bigint() - a) / 1e6;
  }
  const cpu = process.cpuUsage(cpu0);
  const out = Object.assign(summarize(times), {
    cpu_ms_per_run: (cpu.user + cpu.system) / 1000 / cfg.runs,
    load_ms: loadMs,
    vm_hwm_kb: readVmHwmKb(),
    baseline_vm_hwm_kb: baselineKb,
    version: ort.env.versions ? ort.env.versions.node : 'unknown',
  });
  process.stdout.write(JSON.stringify(out) + '\n');
}

// ---- the driver ----
function parseArgs(argv) {
  const o = { threads: [1, 2], rounds: 2, runs: 0, budget: 3, only: null, jsonOut: '', facet: '', models: '' };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--facet') o.facet = val();
    else if (a === '--models') o.models = val();
    else if (a === '--threads') o.threads = val().split(',').map(Number);
    else if (a === '--rounds') o.rounds = Number(val());
    else if (a === '--runs') o.runs = Number(val());
    else if (a === '--budget') o.budget = Number(val());
    else if (a === '--only') o.only = val().split(',');
    else if (a === '--json-out') o.jsonOut = val();
    else if (a === '-h' || a === '--help') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 13).join('\n') + '\n');
      process.exit(0);
    } else throw new Error(`unknown argument '${a}'`);
  }
  return o;
}

function findFacet(explicit) {
  const candidates = [explicit, process.env.FACET_BIN, path.join(REPO, 'build-bench', 'facet'),
    path.join(REPO, 'build', 'facet')].filter(Boolean);
  for (const c of candidates) if (fs.existsSync(c)) return path.resolve(c);
  throw new Error(`no facet binary (tried ${candidates.join(', ')}); build it or pass --facet`);
}

function findModelsDir(explicit) {
  const candidates = [explicit, process.env.FACET_MODELS, path.resolve(REPO, '..', 'shared', 'models')]
    .filter(Boolean);
  for (const c of candidates) if (fs.existsSync(c)) return path.resolve(c);
  throw new Error(`no models folder (tried ${candidates.join(', ')}); pass --models`);
}

// Deterministic uniform [0, 1) input, raw little-endian float32 (the same bytes for both).
function writeInput(file, shape, seed) {
  const n = shape.reduce((a, b) => a * b, 1);
  const buf = Buffer.alloc(4 * n);
  let x = (seed >>> 0) || 1;
  for (let i = 0; i < n; ++i) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    buf.writeFloatLE((x >>> 8) / 16777216, 4 * i);
  }
  fs.writeFileSync(file, buf);
}

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 900e3 });
  if (r.status !== 0) {
    const msg = (r.stderr || '').trim().split('\n').slice(-3).join(' | ') || `exit ${r.status} ${r.signal || ''}`;
    throw new Error(`${what}: ${msg}`);
  }
  return r.stdout;
}

function facetBench(facet, model, input, shape, threads, runs, warmup) {
  const out = run(facet, ['bench', model, '--threads', String(threads), '--runs', String(runs),
    '--warmup', String(warmup), '--json', '--no-peak', '--shape', shape.join(','), '-i', input],
  `facet bench ${path.basename(model)}`);
  return JSON.parse(out);
}

function ortBench(model, input, shape, threads, runs, warmup) {
  const cfg = { model, input, shape, threads, runs, warmup };
  const out = run(process.execPath, [__filename, '--ort-worker', JSON.stringify(cfg)],
    `onnxruntime ${path.basename(model)}`);
  return JSON.parse(out.trim().split('\n').pop());
}

function shell(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (e) {
    return '';
  }
}

function machineInfo(facet) {
  const lscpu = shell('lscpu', []);
  const field = (k) => ((new RegExp(`^${k}:\\s*(.*)$`, 'm')).exec(lscpu) || [])[1] || '?';
  const flags = field('Flags').split(/\s+/);
  let peak = null;
  try {
    peak = JSON.parse(run(facet, ['bench', '--peak', '--json'], 'facet bench --peak'));
  } catch (e) {
    peak = null;
  }
  const commit = shell('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD']);
  const dirty = shell('git', ['-C', REPO, 'status', '--porcelain', '--untracked-files=no']) ? ' (with uncommitted changes)' : '';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit: commit + dirty,
    cpu: `${field('Model name')}, ${field('CPU\\(s\\)')} CPUs, ${field('Vendor ID')} family ${field('CPU family')} model ${field('Model')}`,
    isa_flags: ['avx2', 'fma', 'avx512f'].filter((f) => flags.includes(f)).join(' '),
    fma_peak: peak,
    node: process.version,
    load_avg_start: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

function cpuCell(x) {
  return x && x.cpu_ms_per_run !== undefined ? x.cpu_ms_per_run.toFixed(2) : '-';
}

function mb(kb) {
  return kb > 0 ? (kb / 1024).toFixed(1) : '?';
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.only) {
    const unknown = o.only.filter((n) => !MODELS.some((m) => m.name === n));
    if (unknown.length > 0) {
      throw new Error(`--only: unknown model ${unknown.join(', ')} (known: ${MODELS.map((m) => m.name).join(', ')})`);
    }
  }
  const facet = findFacet(o.facet);
  const modelsDir = findModelsDir(o.models);
  const ortVersion = require('onnxruntime-node/package.json').version;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-compare-'));
  const info = machineInfo(facet);
  info.onnxruntime_node = ortVersion;
  const results = [];
  try {
    for (const m of MODELS) {
      if (o.only && !o.only.includes(m.name)) continue;
      let model;
      if (m.make) {
        model = path.join(work, `${m.name}.onnx`);
        run(facet, ['make-model', 'mobilenet_v1', '--width', m.make.width, '--size', String(m.make.size),
          '--classes', '1000', '--seed', '1', '-o', model], 'facet make-model');
      } else {
        model = path.join(modelsDir, m.file);
        if (!fs.existsSync(model)) {
          results.push({ model: m.name, error: `missing ${model}` });
          continue;
        }
      }
      const input = path.join(work, `${m.name}.f32`);
      writeInput(input, m.shape, 12345);
      // Runs per process: --runs, or what fits the time budget at facet's 1-thread speed.
      let runs = o.runs;
      if (!runs) {
        try {
          const probe = facetBench(facet, model, input, m.shape, 1, 3, 1);
          runs = Math.max(10, Math.min(100, Math.round((o.budget * 1000) / Math.max(probe.min_ms, 0.01))));
        } catch (e) {
          runs = 20;
        }
      }
      const warmup = Math.max(2, Math.min(10, Math.round(runs / 10)));
      for (const threads of o.threads) {
        const row = { model: m.name, shape: m.shape, threads, runs, warmup, facet: null, ort: null, errors: [] };
        const fr = [], orr = [];
        for (let r = 0; r < o.rounds; ++r) {
          try { fr.push(facetBench(facet, model, input, m.shape, threads, runs, warmup)); } catch (e) { row.errors.push(String(e.message)); }
          try { orr.push(ortBench(model, input, m.shape, threads, runs, warmup)); } catch (e) { row.errors.push(String(e.message)); }
        }
        const best = (arr) => arr.length ? arr.reduce((a, b) => (b.median_ms < a.median_ms ? b : a)) : null;
        row.facet = best(fr);
        row.ort = best(orr);
        if (row.facet) row.facet.vm_hwm_kb = Math.max(...fr.map((x) => x.vm_hwm_kb));
        if (row.ort) row.ort.vm_hwm_kb = Math.max(...orr.map((x) => x.vm_hwm_kb));
        row.facet_rounds = fr.map((x) => x.median_ms);
        row.ort_rounds = orr.map((x) => x.median_ms);
        results.push(row);
        const f = row.facet, t = row.ort;
        process.stderr.write(`${m.name} t=${threads}: facet ${f ? f.median_ms.toFixed(3) : 'ERR'} ms, ort ${t ? t.median_ms.toFixed(3) : 'ERR'} ms` +
          `${row.errors.length ? '  [' + row.errors[0] + ']' : ''}\n`);
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  info.load_avg_end = os.loadavg().map((x) => x.toFixed(2)).join(' ');

  const lines = [];
  lines.push(`- date: ${info.date}; commit: ${info.commit}`);
  lines.push(`- machine: ${info.cpu}; ${info.isa_flags}`);
  if (info.fma_peak) {
    lines.push(`- FMA peak (facet bench --peak, ${info.fma_peak.isa}): ${info.fma_peak.gflops_per_core.toFixed(1)} GFLOP/s per core, ` +
      `${info.fma_peak.gflops_all_cores.toFixed(1)} GFLOP/s on ${info.fma_peak.threads} cores at once (wall clock)`);
  }
  lines.push(`- onnxruntime-node ${info.onnxruntime_node}, node ${info.node}; load average ${info.load_avg_start} at start, ${info.load_avg_end} at end`);
  lines.push(`- each cell: the better of ${o.rounds} alternating rounds' medians (fresh process per round); RSS = max VmHWM; ` +
    'CPU = process CPU time per run in that round (all threads, spinning included)');
  lines.push('');
  lines.push('| model | threads | runs | facet median ms | ort median ms | facet/ort | facet GFLOP/s | facet / ort CPU ms | facet RSS MiB | ort RSS MiB (node+addon alone) |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    if (r.error) {
      lines.push(`| ${r.model} | - | - | ${r.error} | | | | | | |`);
      continue;
    }
    const f = r.facet, t = r.ort;
    const ratio = f && t ? (f.median_ms / t.median_ms).toFixed(2) : '-';
    const gf = f && f.macs ? ((2 * f.macs) / (f.median_ms * 1e6)).toFixed(1) : '-';
    lines.push(`| ${r.model} | ${r.threads} | ${r.runs} | ${f ? f.median_ms.toFixed(3) : 'error'} | ${t ? t.median_ms.toFixed(3) : 'error'} | ` +
      `${ratio} | ${gf} | ${cpuCell(f)} / ${cpuCell(t)} | ${f ? mb(f.vm_hwm_kb) : '-'} | ${t ? `${mb(t.vm_hwm_kb)} (${mb(t.baseline_vm_hwm_kb)})` : '-'} |`);
  }
  const errs = results.filter((r) => r.errors && r.errors.length);
  if (errs.length) {
    lines.push('');
    for (const r of errs) lines.push(`- ${r.model} t=${r.threads}: ${[...new Set(r.errors)].join('; ')}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (o.jsonOut) fs.writeFileSync(o.jsonOut, JSON.stringify({ info, results }, null, 2) + '\n');
}

if (process.argv[2] === '--ort-worker') {
  ortWorker(JSON.parse(process.argv[3])).catch((e) => {
    process.stderr.write(`${e.stack || e}\n`);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    process.stderr.write(`compare: ${e.message}\n`);
    process.exit(1);
  });
}
