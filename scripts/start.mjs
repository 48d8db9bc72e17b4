// `npm start`: prepares the Worker (wasm, site, models) and serves dashboard and API with `wrangler dev` on
// http://localhost:8787 (PORT overrides), using the committed models. A random shard-signing secret is made
// for this run unless SHARD_SECRET is set.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [join(root, 'scripts', 'prepare-worker.mjs')], { stdio: 'inherit' });
const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
const port = process.env.PORT ?? '8787';
const secret = process.env.SHARD_SECRET ?? randomBytes(24).toString('hex');
const child = spawn(process.execPath, [wrangler, 'dev', '--port', port, '--ip', process.env.HOST ?? '127.0.0.1', '--var', `SHARD_SECRET:${secret}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { WRANGLER_SEND_METRICS: 'false', ...process.env },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
