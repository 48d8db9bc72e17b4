// `npm run start:cluster`: a coordinator (http://localhost:8787) plus N shard-executor workerd processes
// (ports 8788.., N = CLUSTER_EXECUTORS, default 2), each its own `wrangler dev`, sharing one shard-signing
// secret. The coordinator fans shardable methods out to the executors' /api/shards (SHARD_ENDPOINTS), so
// separate processes run shards in parallel (one workerd process runs sub-requests on one thread).
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [join(root, 'scripts', 'prepare-worker.mjs')], { stdio: 'inherit' });
const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
const base = Number(process.env.PORT ?? 8787);
const n = Number(process.env.CLUSTER_EXECUTORS ?? 2);
const host = process.env.HOST ?? '127.0.0.1';
const secret = process.env.SHARD_SECRET ?? randomBytes(24).toString('hex');
const endpoints = Array.from({ length: n }, (_, i) => `http://127.0.0.1:${base + 1 + i}/api/shards`);
const children = [];
const start = (port, vars, name) => {
  const args = [wrangler, 'dev', '--port', String(port), '--ip', host, '--inspector-port', String(port + 1000), '--persist-to', join(root, '.wrangler', name)];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { WRANGLER_SEND_METRICS: 'false', ...process.env } });
  child.on('exit', (code) => {
    console.error(`${name} exited (${code}); stopping the cluster`);
    for (const c of children) c.kill('SIGTERM');
    process.exit(code ?? 1);
  });
  children.push(child);
};
for (let i = 0; i < n; i++) start(base + 1 + i, { SHARD_SECRET: secret }, `executor-${i + 1}`);
start(base, { SHARD_SECRET: secret, SHARD_ENDPOINTS: endpoints.join(',') }, 'coordinator');
console.log(`coordinator http://localhost:${base} -> executors ${endpoints.join(', ')}`);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => children.forEach((c) => c.kill(sig)));
