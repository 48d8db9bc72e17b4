/**
 * Builds the worker-thread entry for tests: vitest runs TypeScript sources, but a worker thread needs
 * JavaScript, so the entry is bundled once with esbuild (onnxruntime packages stay external) into
 * node_modules/.cache, where they resolve.
 */
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

let built: Promise<URL> | undefined;

export function workerEntryUrl(): Promise<URL> {
  built ??= (async () => {
    const dir = join(process.cwd(), 'node_modules', '.cache', 'xai-perturbation');
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `worker-entry-${process.pid}.mjs`);
    await build({
      entryPoints: [join(process.cwd(), 'src/core/perturbation/executors/worker-entry.node.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      external: ['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common'],
      logLevel: 'silent',
    });
    return pathToFileURL(outfile);
  })();
  return built;
}
