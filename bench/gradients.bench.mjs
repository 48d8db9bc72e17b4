// Cost of gradients relative to a forward pass, per model and backend (Node native onnxruntime-node and Node
// wasm onnxruntime-web, 1 thread and all cores): forward ms, saliency ms (the gradient graph at the same batch)
// and their ratio at batch 1, 8 and 32; the saliency explainer end to end at batch 1; and Integrated Gradients
// (32 steps) and SmoothGrad (32 samples) at batchSize 16 as ms per sample vs one batch-1 backward. Forward and
// gradient runs alternate so that load on the machine hits both alike; medians over BENCH_REPS. Each backend
// runs in its own child process (ORT's wasm thread count is fixed per process; WASM children measure V8's
// optimised code, see --no-liftoff below). Models: every committed model plus the reference models in
// /work/shared/reference when present. Prints a markdown table and writes bench/results/gradients.{md,json}.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPS = Number(process.env.BENCH_REPS ?? 15);
const REF = process.env.XAI_REFERENCE_DIR ?? join(root, '..', 'shared', 'reference', 'data');
const BATCHES = [1, 8, 32];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function input(shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
  return { data, shape };
}

/**
 * Median wall ms and median process CPU ms of each function, called alternately REPS times after 3 warm-up
 * rounds. On a loaded machine CPU time is the steadier measure for 1 thread (it excludes time spent waiting
 * for a core); with more threads it also counts ORT's spinning workers, so read wall time there.
 */
async function interleaved(fns) {
  for (let i = 0; i < 3; i++) for (const f of fns) await f();
  const wall = fns.map(() => []);
  const cpu = fns.map(() => []);
  for (let r = 0; r < REPS; r++) {
    for (let j = 0; j < fns.length; j++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await fns[j]();
      wall[j].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[j].push((c.user + c.system) / 1000);
    }
  }
  return fns.map((_, j) => ({ wall: median(wall[j]), cpu: median(cpu[j]) }));
}

async function child(backend, threads) {
  const lib = (p) => import(join(root, 'dist', p));
  const { FsModelStore } = await lib('core/models/fs-store.js');
  const { LoadedModel } = await lib('core/models/loaded-model.js');
  const { createNodeRuntime } = await lib('core/runtime/node.js');
  const { forward } = await lib('core/predict.js');
  const { runGradients, gradientSession, oneHotTargets, targetRowShape } = await lib('core/grad/run.js');
  const { GRADIENT } = await lib('core/grad/composites.js');
  const { getExplainer } = await lib('explainers/index.js');

  const runtime = createNodeRuntime({ backend, threads });
  const models = [];
  const store = new FsModelStore(join(root, 'models'));
  for (const id of await store.ids()) models.push({ id, manifest: await store.manifest(id), bytes: await store.modelBytes(id) });
  if (existsSync(join(REF, 'manifest.json'))) {
    const ref = JSON.parse(readFileSync(join(REF, 'manifest.json'), 'utf8'));
    for (const [name, m] of Object.entries(ref.models)) {
      if (name.endsWith('_fused')) continue;
      const [, c, h, w] = m.input_shape;
      const manifest = {
        id: `ref:${name}`, title: name, task: 'classification', input: { name: 'input', shape: [-1, c, h, w], layout: 'NCHW' }, output: { name: 'logits', kind: 'logits' },
        preprocessing: { size: [h, w], resize: 'bilinear', channels: c === 1 ? 'gray' : 'rgb', scale: 1, mean: [0], std: [1] },
        labels: Array.from({ length: m.num_classes }, (_, i) => `class${i}`), source: 'reference', license: 'MIT',
      };
      models.push({ id: `ref:${name}`, manifest, bytes: new Uint8Array(readFileSync(join(REF, m.file))) });
    }
  }

  const rows = [];
  for (const { id, manifest, bytes } of models) {
    const model = new LoadedModel(manifest, bytes, runtime);
    try {
      const opts = { rules: GRADIENT };
      const classes = targetRowShape(await gradientSession(model, opts))[0];
      const row = { model: id, backend: `${backend}-${threads}t` };
      for (const batch of BATCHES) {
        const x = input(model.inputShape(batch));
        const targets = oneHotTargets(Array.from({ length: batch }, (_, i) => i % classes), classes);
        const [fwd, sal] = await interleaved([() => forward(model, x), () => runGradients(model, opts, x, targets, batch)]);
        row[`b${batch}`] = { forward: fwd.wall, saliency: sal.wall, ratio: sal.wall / fwd.wall, cpuRatio: sal.cpu / fwd.cpu };
      }
      const x1 = input(model.inputShape(1));
      const req = (method, params) => ({ model, input: x1, target: 0, params, seed: 0, batchSize: 16 });
      const saliency = getExplainer('saliency');
      const ig = getExplainer('integrated-gradients');
      const sg = getExplainer('smoothgrad');
      const [fwd1, sal1, ig32, sg32] = await interleaved([
        () => forward(model, x1),
        () => saliency.explain(req('saliency', {})),
        () => ig.explain(req('integrated-gradients', { steps: 32 })),
        () => sg.explain(req('smoothgrad', { samples: 32 })),
      ]);
      const backward1 = row.b1.saliency;
      row.explainer = { forward: fwd1.wall, saliency: sal1.wall, ratio: sal1.wall / fwd1.wall, cpuRatio: sal1.cpu / fwd1.cpu };
      // IG runs 32 gradient rows plus two forward passes (completeness check); both are charged to its samples.
      row.ig = { msPerSample: ig32.wall / 32, perSampleVsBackward: ig32.wall / 32 / backward1 };
      row.smoothgrad = { msPerSample: sg32.wall / 32, perSampleVsBackward: sg32.wall / 32 / backward1 };
      rows.push(row);
    } finally {
      await model.dispose();
    }
  }
  process.stdout.write(JSON.stringify(rows));
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], Number(process.argv[4]));
} else {
  const cores = availableParallelism();
  const configs = [];
  for (const backend of ['native', 'wasm']) for (const t of [...new Set([1, Math.min(2, cores), cores])]) configs.push([backend, t]);
  const rows = [];
  for (const [backend, t] of configs) {
    // V8 first runs WASM through its baseline compiler (Liftoff) and tiers hot functions up to optimised code at
    // unpredictable times, several runs in: forward and gradient kernels would be measured at different tiers
    // (up to 2x apart). --no-liftoff compiles optimised code up front, i.e. measures the steady state.
    const flags = backend === 'wasm' ? ['--no-liftoff'] : [];
    const out = execFileSync(process.execPath, [...flags, fileURLToPath(import.meta.url), '--child', backend, String(t)], { cwd: root, maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
    rows.push(...JSON.parse(out.toString()));
  }
  const f = (v) => v.toFixed(2);
  const table = [
    `| model | backend | ${BATCHES.map((b) => `b${b} fwd ms | b${b} saliency ms | b${b} ratio (cpu)`).join(' | ')} | explainer b1 ratio (cpu) | IG ms/sample (x backward) | SmoothGrad ms/sample (x backward) |`,
    `|---|---|${BATCHES.map(() => '---:|---:|---:').join('|')}|---:|---:|---:|`,
    ...rows.map((r) => `| ${r.model} | ${r.backend} | ${BATCHES.map((b) => `${f(r[`b${b}`].forward)} | ${f(r[`b${b}`].saliency)} | **${f(r[`b${b}`].ratio)}** (${f(r[`b${b}`].cpuRatio)})`).join(' | ')} | ${f(r.explainer.ratio)} (${f(r.explainer.cpuRatio)}) | ${f(r.ig.msPerSample)} (${f(r.ig.perSampleVsBackward)}) | ${f(r.smoothgrad.msPerSample)} (${f(r.smoothgrad.perSampleVsBackward)}) |`),
  ].join('\n');
  const header = `Gradient cost vs forward, median ms per call (batch B: per whole batch), ${REPS} reps, ${cores} cores, Node ${process.version}, ${new Date().toISOString()}. ` +
    'ratio = saliency / forward at the same batch, wall time (in brackets: process CPU time, the steadier figure for 1 thread on a loaded machine); IG (32 steps) and SmoothGrad (32 samples) at batchSize 16: ms per sample and, in brackets, per sample / one batch-1 backward.';
  console.log(`\n${header}\n\n${table}\n`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/gradients.md'), `${header}\n\n${table}\n`);
  writeFileSync(join(root, 'bench/results/gradients.json'), JSON.stringify({ header, reps: REPS, cores, node: process.version, rows }, null, 2) + '\n');
}
