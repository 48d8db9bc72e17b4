// API latency and cluster speed-up against real `wrangler dev` processes (the Worker, workerd, wasm):
// p50/p95 of POST /api/explain (saliency; RISE with 1000 masks) on fmnist-cnn with 1 and 20 concurrent clients,
// counting errors; and RISE with 4000 masks on one process vs the coordinator with 2 executor processes.
// Distinct seeds per request defeat the response cache. Writes bench/results/api.{md,json}.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
const SECRET = 'bench-secret-0123456789abcdef';
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

async function dev(vars = {}) {
  const port = await freePort();
  const args = [wrangler, 'dev', '--port', String(port), '--ip', '127.0.0.1', '--inspector-port', String(await freePort()), '--persist-to', join(tmpdir(), `xai-bench-${port}`)];
  for (const [k, v] of Object.entries({ SHARD_SECRET: SECRET, ...vars })) args.push('--var', `${k}:${v}`);
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' }, stdio: 'ignore', detached: true });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    try { if ((await fetch(`${url}/api/health`)).ok) break; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, stop: () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ } } };
}

const samples = JSON.parse(readFileSync(join(root, 'models/samples/fmnist/index.json'), 'utf8'));
const images = samples.slice(0, 20).map((s) => readFileSync(join(root, 'models/samples/fmnist', s.file)).toString('base64'));
let seedCounter = 1000;
async function explainOnce(url, method, params, extra = {}) {
  const body = JSON.stringify({ model: 'fmnist-cnn', method, image: images[seedCounter % images.length], params, seed: seedCounter++, ...extra });
  const t0 = performance.now();
  const res = await fetch(`${url}/api/explain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  return { ms: performance.now() - t0, ok: res.ok, error: res.ok ? undefined : `${res.status} ${text.slice(0, 200)}` };
}
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

async function load(url, method, params, clients, perClient) {
  const times = [];
  let errors = 0;
  const messages = new Set();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = 0; i < perClient; i++) {
      const r = await explainOnce(url, method, params);
      times.push(r.ms);
      if (!r.ok) {
        errors++;
        messages.add(r.error);
      }
    }
  }));
  if (messages.size) console.error(`${method} x${clients}: ${[...messages].join(' | ')}`);
  return { method, clients, requests: times.length, errors, errorMessages: [...messages], p50: pct(times, 50), p95: pct(times, 95), wallMs: performance.now() - t0 };
}

const rows = [];
const single = await dev();
try {
  await explainOnce(single.url, 'saliency', {});
  await explainOnce(single.url, 'rise', { masks: 1000 });
  for (const [method, params, n1, n20] of [['saliency', {}, 30, 3], ['rise', { masks: 1000 }, 6, 1]]) {
    rows.push(await load(single.url, method, params, 1, n1));
    rows.push(await load(single.url, method, params, 20, n20));
  }
} finally {
  single.stop();
}

// Cluster: same machine, coordinator + 2 executors (separate processes) vs one process.
const execs = [await dev(), await dev()];
const coord = await dev({ SHARD_ENDPOINTS: execs.map((e) => `${e.url}/api/shards`).join(',') });
const alone = await dev();
let cluster;
try {
  const rise = { masks: 4000 };
  await explainOnce(alone.url, 'rise', { masks: 200 });
  await explainOnce(coord.url, 'rise', { masks: 200 }, { shards: 2 });
  const t1 = [];
  const t2 = [];
  for (let i = 0; i < Number(process.env.CLUSTER_REPS ?? 5); i++) {
    t1.push((await explainOnce(alone.url, 'rise', rise, { shards: 1 })).ms);
    t2.push((await explainOnce(coord.url, 'rise', rise, { shards: 2 })).ms);
  }
  cluster = { singleMs: pct(t1, 50), clusterMs: pct(t2, 50), speedup: pct(t1, 50) / pct(t2, 50) };
} finally {
  for (const s of [...execs, coord, alone]) s.stop();
}

const header = `POST /api/explain against wrangler dev (workerd, wasm, 1 thread), fmnist-cnn, ${new Date().toISOString()}`;
const table = [
  '| method | clients | requests | errors | p50 ms | p95 ms |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.method}${r.method === 'rise' ? ' (1000 masks)' : ''} | ${r.clients} | ${r.requests} | ${r.errors} | ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} |`),
  '',
  `RISE 4000 masks: one process ${cluster.singleMs.toFixed(0)} ms, coordinator + 2 executor processes ${cluster.clusterMs.toFixed(0)} ms: speed-up ${cluster.speedup.toFixed(2)}x`,
].join('\n');
console.log(`\n${header}\n\n${table}\n`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/api.md'), `${header}\n\n${table}\n`);
writeFileSync(join(root, 'bench/results/api.json'), JSON.stringify({ header, rows, cluster }, null, 2) + '\n');
