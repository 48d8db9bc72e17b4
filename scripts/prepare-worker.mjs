// Everything the Worker needs before wrangler or vitest-pool-workers load it: ORT's wasm copied into
// functions/generated/, and the static assets in site/dist (the dashboard with its precomputed gallery, the
// models, samples and onnxruntime-web's browser build), built by scripts/build-site.mjs.
// Extra arguments go to build-site.mjs (e.g. --skip-gallery).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
execFileSync(process.execPath, [join(here, 'copy-wasm.mjs')], { stdio: 'inherit' });
execFileSync(process.execPath, [join(here, 'build-site.mjs'), ...process.argv.slice(2)], { stdio: 'inherit' });
