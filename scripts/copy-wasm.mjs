// Copies onnxruntime-web's wasm binary into functions/generated/ so the Worker (wrangler and
// vitest-pool-workers, which cannot import from node_modules via @fs) imports it as a WebAssembly.Module.
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const src = require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm');
const outDir = join(root, 'functions', 'generated');
mkdirSync(outDir, { recursive: true });
const dst = join(outDir, 'ort-wasm-simd-threaded.wasm');
const same = (() => {
  try {
    const a = statSync(src);
    const b = statSync(dst);
    return a.size === b.size && b.mtimeMs >= a.mtimeMs;
  } catch {
    return false;
  }
})();
if (!same) copyFileSync(src, dst);
console.log(`ort wasm -> ${dst}${same ? ' (up to date)' : ''}`);
