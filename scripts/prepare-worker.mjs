// Everything the Worker needs before wrangler or vitest-pool-workers load it: ORT's wasm copied into
// functions/generated/, and the static assets (site + models) in site/dist.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
for (const s of ['copy-wasm.mjs', 'build-assets.mjs']) execFileSync(process.execPath, [join(here, s)], { stdio: 'inherit' });
