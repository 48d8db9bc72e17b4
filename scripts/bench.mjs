// `npm run bench`: builds, then runs bench/run.mjs (forward-pass latency per model, runtime and thread count).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [join(root, 'node_modules/.bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [join(root, 'scripts/prepare-worker.mjs')], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [join(root, 'bench/run.mjs'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
