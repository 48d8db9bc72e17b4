// Forward-pass latency of every committed model: Node native (onnxruntime-node) and Node wasm
// (onnxruntime-web), 1 thread and all cores, batch 1 and 32; and inside workerd (wrangler dev, wasm,
// 1 thread), timed from outside as (t(reps=R) - t(reps=1)) / (R - 1) to cancel HTTP overhead.
// Prints a markdown table and writes bench/results/forward.{md,json}. Medians over repeated runs.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = (p) => import(join(root, 'dist', p));
const { FsModelStore } = await lib('core/models/fs-store.js');
const { LoadedModel } = await lib('core/models/loaded-model.js');
const { createNodeRuntime } = await lib('core/runtime/node.js');
const { forward } = await lib('core/predict.js');

const REPS = Number(process.env.BENCH_REPS ?? 15);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const input = (shape) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
  return { data, shape };
};

async function timeNode(manifest, bytes, backend, threads, batch) {
  const model = new LoadedModel(manifest, bytes, createNodeRuntime({ backend, threads }));
  const x = input(model.inputShape(batch));
  for (let i = 0; i < 3; i++) await forward(model, x);
  const ts = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await forward(model, x);
    ts.push(performance.now() - t0);
  }
  await model.dispose();
  return median(ts);
}

const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

async function startBenchWorker() {
  const port = await freePort();
  const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
  const child = spawn(process.execPath, [wrangler, 'dev', '-c', 'bench/wrangler.toml', '--port', String(port), '--ip', '127.0.0.1', '--inspector-port', String(await freePort())], { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' }, stdio: 'ignore', detached: true });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 180; i++) {
    try { if ((await fetch(url + '/?model=none')).status) break; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, stop: () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ } } };
}

async function timeWorkerd(url, id, batch) {
  const call = async (reps) => { const t0 = performance.now(); const r = await fetch(`${url}/?model=${id}&batch=${batch}&reps=${reps}`); if (!r.ok) throw new Error(await r.text()); await r.json(); return performance.now() - t0; };
  await call(3);
  const R = 6;
  const per = [];
  for (let i = 0; i < Math.max(3, Math.floor(REPS / 3)); i++) per.push((await call(R) - await call(1)) / (R - 1));
  return median(per);
}

const cores = availableParallelism();
const store = new FsModelStore(join(root, 'models'));
const rows = [];
const worker = process.argv.includes('--no-workerd') ? undefined : await startBenchWorker();
try {
  for (const id of await store.ids()) {
    const manifest = await store.manifest(id);
    const bytes = await store.modelBytes(id);
    for (const batch of [1, 32]) {
      const row = { model: id, batch };
      for (const backend of ['native', 'wasm']) {
        for (const threads of [...new Set([1, cores])]) row[`node-${backend}-${threads}t`] = await timeNode(manifest, bytes, backend, threads, batch);
      }
      if (worker) row['workerd-wasm-1t'] = await timeWorkerd(worker.url, id, batch);
      rows.push(row);
    }
  }
} finally {
  worker?.stop();
}

const cols = Object.keys(rows[0]).filter((k) => k !== 'model' && k !== 'batch');
const table = [
  `| model | batch | ${cols.join(' | ')} | wasm-1t / native-1t |`,
  `|---|---:|${cols.map(() => '---:').join('|')}|---:|`,
  ...rows.map((r) => `| ${r.model} | ${r.batch} | ${cols.map((c) => r[c].toFixed(2)).join(' | ')} | ${(r['node-wasm-1t'] / r['node-native-1t']).toFixed(2)} |`),
].join('\n');
const header = `Forward pass, median ms per call (batch 32: per whole batch), ${REPS} reps, ${cores} cores, Node ${process.version}, ${new Date().toISOString()}`;
console.log(`\n${header}\n\n${table}\n`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/forward.md'), `${header}\n\n${table}\n`);
writeFileSync(join(root, 'bench/results/forward.json'), JSON.stringify({ header, reps: REPS, cores, node: process.version, rows }, null, 2) + '\n');
