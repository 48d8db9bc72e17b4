// Precomputes the dashboard's gallery at build time with the compiled library (dist/) and native
// onnxruntime-node: for a few samples per class, every committed fmnist model and a representative set of
// methods, writes the overlay (with colorbar) and raw heatmap PNGs, one JSON per explanation (prediction,
// target, parameters, timings, map, deletion/insertion curves) and an index, into site/public/gallery/.
// Also writes the method table (methods.json) the try-it page uses without the API.
//
//   node scripts/build-gallery.mjs [--per-class N] [--models a,b] [--methods m1,m2] [--force]
//
// Output is cached: a run with the same inputs (models, samples, options, dist/) reuses what is there.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'site', 'public', 'gallery');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const PER_CLASS = Number(opt('per-class', process.env.GALLERY_PER_CLASS ?? '2'));
const MODELS = opt('models', 'fmnist-cnn,fmnist-resnet').split(',');
// The gallery's methods, cheapest first; parameters lighter than the defaults where the defaults are meant
// for a single careful run (RISE: 4000 masks), so the whole build stays within a couple of minutes.
const METHODS = opt('methods', 'saliency,integrated-gradients,smoothgrad,guided-backprop,lrp,grad-cam,grad-cam++,score-cam,occlusion,rise,lime,kernel-shap').split(',');
// LIME / KernelSHAP: quickshift's defaults (tuned for 0-255 colour photos) make one superpixel of a 28x28
// grey image, hence a constant map; SLIC gives ~40 regions.
const METHOD_PARAMS = { rise: { masks: 1000 }, lime: { segmentation: 'slic', segments: 40 }, 'kernel-shap': { segmentation: 'slic', segments: 40 } };
const CURVE_STEPS = 28; // deletion / insertion curves: 29 points, one batch
const FORCE = args.includes('--force');

// The seed's taxonomy, for people: the library's families, named as in the explainability literature.
const TAXONOMY = {
  perturbation: { label: 'Perturbation', blurb: 'change the input, watch the score' },
  gradient: { label: 'Backpropagation', blurb: 'propagate the score back to the pixels' },
  activation: { label: 'Activation (CAM)', blurb: 'weight inner feature maps' },
  representation: { label: 'Representation', blurb: 'what inner units respond to' },
};
const REPRESENTATION = new Set(['unit-visualisation']);

const dist = join(root, 'dist');
if (!existsSync(join(dist, 'core', 'explain.js'))) {
  console.error('build-gallery: dist/ is missing; run `npx tsc -p tsconfig.json` first');
  process.exit(2);
}
const lib = (p) => import(pathToFileURL(join(dist, p)).href);
const { FsModelStore } = await lib('core/models/fs-store.js');
const { LoadedModel } = await lib('core/models/loaded-model.js');
const { decodeImage, imageToTensor, encodePng } = await lib('core/image/index.js');
const { createNodeRuntime } = await lib('core/runtime/node.js');
const { explain } = await lib('core/explain.js');
const { explanationPng } = await lib('core/render.js');
const { evaluateAttribution } = await lib('core/perturbation/evaluation.js');
const { describeMethods } = await lib('explainers/describe.js');
const { VIRIDIS, COOLWARM, colorAt } = await lib('core/image/colormap.js');

const described = describeMethods();
const familyOf = (m) => (REPRESENTATION.has(m.name) ? 'representation' : m.family);
const methodsJson = {
  taxonomy: TAXONOMY,
  common: described.common,
  methods: described.methods.map((m) => ({ ...m, taxonomy: familyOf(m) })),
};

// Cache key: everything the output depends on.
function digestTree(dir, h) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) digestTree(p, h);
    else if (/\.(js|json|onnx|png)$/.test(e.name)) {
      const s = statSync(p);
      h.update(`${p}:${s.size}:${s.mtimeMs}\n`);
    }
  }
}
const h = createHash('sha256');
h.update(JSON.stringify({ PER_CLASS, MODELS, METHODS, METHOD_PARAMS, CURVE_STEPS, v: 1 }));
h.update(readFileSync(fileURLToPath(import.meta.url)));
for (const id of MODELS) digestTree(join(root, 'models', id), h);
digestTree(join(root, 'models', 'samples', 'fmnist'), h);
digestTree(join(dist, 'core'), h);
digestTree(join(dist, 'explainers'), h);
const key = h.digest('hex');
const stamp = join(out, '.stamp');
if (!FORCE && existsSync(stamp) && readFileSync(stamp, 'utf8') === key) {
  console.log(`gallery: up to date (${out})`);
  process.exit(0);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'methods.json'), JSON.stringify(methodsJson));
// CSS gradients of the library's colour maps, for legends drawn by the pages.
const stops = (cmap) => Array.from({ length: 11 }, (_, i) => `rgb(${colorAt(cmap, i / 10).join(' ')}) ${i * 10}%`).join(', ');
writeFileSync(join(out, 'legend.json'), JSON.stringify({ viridis: `linear-gradient(to right, ${stops(VIRIDIS)})`, coolwarm: `linear-gradient(to right, ${stops(COOLWARM)})` }));

const samplesDir = join(root, 'models', 'samples', 'fmnist');
const allSamples = JSON.parse(readFileSync(join(samplesDir, 'index.json'), 'utf8'));
const picked = [];
const perLabel = new Map();
for (const s of allSamples) {
  const n = perLabel.get(s.label) ?? 0;
  if (n < PER_CLASS) {
    picked.push(s);
    perLabel.set(s.label, n + 1);
  }
}
picked.sort((a, b) => a.label - b.label || a.testIndex - b.testIndex);
const images = picked.map((s) => ({ id: s.file.replace(/\.png$/, ''), file: s.file, label: s.label, labelName: s.labelName }));
mkdirSync(join(out, 'inputs'), { recursive: true });
for (const s of picked) copyFileSync(join(samplesDir, s.file), join(out, 'inputs', s.file));

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (b) => {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
};
const round = (x) => (Number.isFinite(x) ? Number(x.toPrecision(7)) : x);
const store = new FsModelStore(join(root, 'models'));
const runtime = createNodeRuntime({ backend: 'native' });
const entries = [];
const models = [];
const t0 = performance.now();

for (const id of MODELS) {
  const manifest = await store.manifest(id);
  models.push({ id, title: manifest.title, labels: manifest.labels, size: manifest.preprocessing.size, metrics: manifest.metrics ?? null });
  const model = new LoadedModel(manifest, await store.modelBytes(id), runtime);
  try {
    for (const img of images) {
      const raster = decodeImage(new Uint8Array(readFileSync(join(samplesDir, img.file))));
      const tensor = imageToTensor(raster, manifest.preprocessing);
      const dir = join(out, id, img.id);
      mkdirSync(dir, { recursive: true });
      const detail = { model: id, image: img, prediction: null, methods: [] };
      for (const method of METHODS) {
        const r = await explain(model, tensor, { method, params: METHOD_PARAMS[method] ?? {} });
        const e = r.explanation;
        const curves = {};
        for (const mode of ['deletion', 'insertion']) {
          const c = await evaluateAttribution({ model, input: tensor, target: r.target, map: e.map, mode, params: { steps: CURVE_STEPS }, batchSize: CURVE_STEPS + 1 });
          curves[mode] = { auc: round(c.auc), fractions: c.fractions.map(round), curve: c.curve.map(round) };
        }
        const spec = methodsJson.methods.find((m) => m.name === method);
        const base = `gallery/${id}/${img.id}/${method}`;
        const overlayPng = explanationPng(raster, e, { colorbar: true, minSide: 112 });
        const heatmapPng = explanationPng(raster, e, { render: 'heatmap', minSide: 1 });
        writeFileSync(join(dir, `${method}.png`), overlayPng);
        writeFileSync(join(dir, `${method}.heatmap.png`), heatmapPng);
        const size = pngSize(overlayPng);
        const json = {
          method,
          title: spec.title,
          family: spec.family,
          taxonomy: spec.taxonomy,
          model: id,
          image: img.file,
          target: r.target,
          targetLabel: r.targetLabel,
          trueLabel: img.label,
          prediction: r.prediction.top.map((p) => ({ ...p, probability: round(p.probability), score: round(p.score) })),
          params: r.params,
          seed: r.seed,
          batchSize: r.batchSize,
          ...(r.layer ? { layer: r.layer } : {}),
          signed: e.signed,
          passes: e.passes,
          backend: r.backend,
          timings: { predictMs: round(r.timings.predictMs), explainMs: round(r.timings.explainMs) },
          curves,
          map: { width: e.width, height: e.height, data: Array.from(e.map, round) },
          ...(e.extras ? { extras: e.extras } : {}),
        };
        writeFileSync(join(dir, `${method}.json`), JSON.stringify(json));
        detail.prediction ??= json.prediction;
        detail.target ??= r.target;
        detail.targetLabel ??= r.targetLabel;
        detail.methods.push({
          method,
          title: spec.title,
          taxonomy: spec.taxonomy,
          signed: e.signed,
          params: r.params,
          explainMs: json.timings.explainMs,
          passes: e.passes,
          curves,
          overlay: `/${base}.png`,
          overlaySize: size,
          heatmap: `/${base}.heatmap.png`,
          json: `/${base}.json`,
        });
        const top = r.prediction.top[0];
        entries.push({
          model: id,
          image: img.id,
          method,
          taxonomy: spec.taxonomy,
          label: img.label,
          target: r.target,
          targetLabel: r.targetLabel,
          predicted: { index: top.index, label: top.label, probability: round(top.probability) },
          signed: e.signed,
          overlay: `/${base}.png`,
          overlaySize: size,
          heatmap: `/${base}.heatmap.png`,
          json: `/${base}.json`,
        });
      }
      writeFileSync(join(out, id, `${img.id}.json`), JSON.stringify(detail));
      if (!process.stdout.isTTY && img === images[images.length - 1]) console.log(`gallery: ${id} done (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      if (process.stdout.isTTY) process.stdout.write(`\rgallery: ${id} ${img.id} (${((performance.now() - t0) / 1000).toFixed(1)} s)      `);
    }
  } finally {
    await model.dispose();
  }
}
if (process.stdout.isTTY) process.stdout.write('\n');

const index = {
  models,
  methods: METHODS.map((name) => {
    const m = methodsJson.methods.find((x) => x.name === name);
    return { name, title: m.title, family: m.family, taxonomy: m.taxonomy, paper: m.paper, params: METHOD_PARAMS[name] ?? {} };
  }),
  taxonomy: TAXONOMY,
  images,
  entries,
  curveSteps: CURVE_STEPS,
  buildSeconds: round((performance.now() - t0) / 1000),
};
writeFileSync(join(out, 'index.json'), JSON.stringify(index));
writeFileSync(stamp, key);
console.log(`gallery: ${entries.length} explanations (${MODELS.length} models x ${images.length} images x ${METHODS.length} methods) in ${index.buildSeconds} s -> ${out}`);
