// The dashboard: a static Astro site built into site/dist, which the Worker serves as its assets
// (wrangler.toml [assets]). Client scripts import the library from ../src directly (it is isomorphic).
import { defineConfig } from 'astro/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  srcDir: './src',
  publicDir: './public',
  outDir: './dist',
  output: 'static',
  build: { format: 'directory', inlineStylesheets: 'never' },
  devToolbar: { enabled: false },
  vite: {
    // onnxruntime-web's build that loads its wasm from env.wasm.wasmPaths at run time (ours: /ort/), instead of
    // the default bundle whose `new URL(...wasm, import.meta.url)` makes Vite copy the 27 MiB wasm into
    // _astro/, over the Workers' 25 MiB per-asset limit.
    resolve: { alias: [{ find: /^onnxruntime-web$/, replacement: fileURLToPath(new URL('../node_modules/onnxruntime-web/dist/ort.min.mjs', import.meta.url)) }] },
    server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
    // Keep every script a same-origin file (no inlined data: URLs), and ship modern output.
    build: { assetsInlineLimit: 0, target: 'es2022', chunkSizeWarningLimit: 2000 },
    worker: { format: 'es' },
  },
});
