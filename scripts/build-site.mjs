// Builds the dashboard into site/dist, everything the Worker serves as static assets:
//   1. the gallery, precomputed with the compiled library (scripts/build-gallery.mjs; cached),
//   2. the OpenAPI document (site/public/openapi.json) from functions/openapi.ts, for the API page,
//   3. the Astro site (site/ -> site/dist),
//   4. models and samples (scripts/build-assets.mjs) and onnxruntime-web's browser build (site/dist/ort/),
//      so the browser never fetches anything from another origin.
// Needs dist/ (npx tsc -p tsconfig.json); builds it when missing.
//
//   node scripts/build-site.mjs [--skip-gallery] [gallery options, see build-gallery.mjs]
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const site = join(root, 'site');
const args = process.argv.slice(2);
const t0 = performance.now();
const step = (name) => console.log(`build-site: ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
const node = (script, extra = []) => execFileSync(process.execPath, [join(root, 'scripts', script), ...extra], { stdio: 'inherit', cwd: root });

if (!existsSync(join(root, 'dist', 'core', 'explain.js'))) {
  step('compiling the library (dist/ missing)');
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { stdio: 'inherit', cwd: root });
}

if (!args.includes('--skip-gallery')) {
  step('gallery');
  node('build-gallery.mjs', args.filter((a) => a !== '--skip-gallery'));
}

step('dataset bias');
node('build-bias.mjs');

step('OpenAPI document');
{
  const { build } = await import('esbuild');
  const bundle = await build({ entryPoints: [join(root, 'functions', 'openapi.ts')], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent' });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`);
  mkdirSync(join(site, 'public'), { recursive: true });
  writeFileSync(join(site, 'public', 'openapi.json'), JSON.stringify(mod.openApiDocument(), null, 2));
}

step('astro build');
process.env.ASTRO_TELEMETRY_DISABLED = '1';
const { build: astroBuild } = await import(pathToFileURL(createRequire(import.meta.url).resolve('astro')).href);
await astroBuild({ root: site, logLevel: 'warn' });

step('models, samples, onnxruntime-web');
node('build-assets.mjs');
// The browser build (WebGPU + WASM, "jsep") is the only one the pages load. Its wasm (27 MiB) is over the
// Workers' 25 MiB per-asset limit (wrangler refuses to serve the folder), so it ships gzipped (~6.7 MB) and the
// device worker inflates it (DecompressionStream) into env.wasm.wasmBinary; the glue .mjs stays as is.
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const ortOut = join(site, 'dist', 'ort');
mkdirSync(ortOut, { recursive: true });
copyFileSync(join(ortDist, 'ort-wasm-simd-threaded.jsep.mjs'), join(ortOut, 'ort-wasm-simd-threaded.jsep.mjs'));
const wasmSrc = join(ortDist, 'ort-wasm-simd-threaded.jsep.wasm');
const gzCache = join(root, 'node_modules', '.cache', 'xai-site', `ort-wasm-simd-threaded.jsep.wasm.${statSync(wasmSrc).size}.gz`);
if (!existsSync(gzCache)) {
  mkdirSync(dirname(gzCache), { recursive: true });
  writeFileSync(gzCache, gzipSync(readFileSync(wasmSrc), { level: 6 }));
}
copyFileSync(gzCache, join(ortOut, 'ort-wasm-simd-threaded.jsep.wasm.gz'));
step('done -> site/dist');
