// Perturbation engine benchmark: explainer overhead (explainer time / the same forward passes) for RISE,
// occlusion and LIME on a 224x224 model and on a Fashion-MNIST CNN, and the worker-thread pool with 1 vs 2
// workers. Bundles bench/perturbation/run-bench.ts with esbuild, runs it, and writes its report to
// bench/results/perturbation.md. Options through the environment: ONLY=overhead|workers|fmnist,
// METHODS=rise,occlusion,lime, REPS, MASKS, BATCH.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'node_modules/.cache/xai-bench/perturbation');
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common', 'vitest'], logLevel: 'warning', absWorkingDir: root };
await build({ ...common, entryPoints: [join(root, 'bench/perturbation/run-bench.ts')], outfile: join(out, 'run-bench.mjs') });
await build({ ...common, entryPoints: [join(root, 'src/core/perturbation/executors/worker-entry.node.ts')], outfile: join(out, 'worker-entry.mjs') });
// Bundling moves import.meta.url: say where the reference models are.
const env = { ...process.env, XAI_REFERENCE_DIR: process.env.XAI_REFERENCE_DIR ?? join(root, '..', 'shared', 'reference', 'data') };
const text = execFileSync(process.execPath, [join(out, 'run-bench.mjs')], { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
process.stdout.write(text);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/perturbation.md'), `Perturbation engine, ${new Date().toISOString()}\n\n\`\`\`\n${text}\`\`\`\n`);
