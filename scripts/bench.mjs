// `npm run bench`: builds, then runs every bench/*.bench.mjs in order (or the ones named:
// `npm run bench -- forward gradients`). Each prints a markdown table and writes bench/results/<name>.{md,json}.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [join(root, 'node_modules/.bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [join(root, 'scripts/prepare-worker.mjs')], { cwd: root, stdio: 'inherit' });
const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const all = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.mjs')).sort();
const chosen = names.length ? all.filter((f) => names.includes(f.replace('.bench.mjs', ''))) : all;
if (names.length && chosen.length !== names.length) {
  console.error(`unknown benchmark in: ${names.join(', ')}; available: ${all.map((f) => f.replace('.bench.mjs', '')).join(', ')}`);
  process.exit(2);
}
for (const f of chosen) execFileSync(process.execPath, [join(root, 'bench', f), ...flags], { cwd: root, stdio: 'inherit' });
