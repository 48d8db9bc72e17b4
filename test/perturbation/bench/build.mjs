// Bundles the benchmark and the worker entry to plain JS next to this file (node_modules stay external).
import { build } from 'esbuild';
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common', 'vitest'], logLevel: 'warning' };
await build({ ...common, entryPoints: ['test/perturbation/bench/run-bench.ts'], outfile: 'node_modules/.cache/xai-perturbation/bench/run-bench.mjs' });
await build({ ...common, entryPoints: ['src/core/perturbation/executors/worker-entry.node.ts'], outfile: 'node_modules/.cache/xai-perturbation/bench/worker-entry.mjs' });
