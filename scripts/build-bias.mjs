// Precomputes the dashboard's dataset-bias page (/bias, issue 7) at build time with the compiled library
// (dist/) and native onnxruntime-node: the committed bias-attributes model on the generated 'unbiased' split
// (labels vs predictions phi matrices with their 2x2 counts, and the difference), the training split's label
// correlations (what explains a flag), and per attribute where the model looks (Grad-CAM averaged over the
// images where it predicts the attribute, drawn over their mean portrait), region shares and flags.
// Writes site/public/bias/bias.json and one PNG per attribute (site/public/bias/maps/).
//
//   node scripts/build-bias.mjs [--count 400] [--evidence 100] [--shards 2] [--seed 1] [--force]
//
// Output is cached: a run with the same inputs (model, dist/, options) reuses what is there.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'site', 'public', 'bias');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const MODEL = 'bias-attributes';
const METHOD = 'grad-cam';
const SEED = opt('seed', 1); // the committed model was trained on seed 0
const COUNT = opt('count', 400);
const EVIDENCE = opt('evidence', 100);
const SHARDS = opt('shards', 2);
const TRAIN_COUNT = 4000;
const FORCE = args.includes('--force');

const dist = join(root, 'dist');
if (!existsSync(join(dist, 'core', 'bias', 'analyze.js'))) {
  console.error('build-bias: dist/ is missing or old; run `npx tsc -p tsconfig.json` first');
  process.exit(2);
}

// Cache key: everything the output depends on.
const h = createHash('sha256');
h.update(JSON.stringify({ MODEL, METHOD, SEED, COUNT, EVIDENCE, SHARDS, TRAIN_COUNT, v: 1 }));
h.update(readFileSync(fileURLToPath(import.meta.url)));
for (const f of ['manifest.json', 'model.onnx']) h.update(readFileSync(join(root, 'models', MODEL, f)));
for (const d of ['core/bias', 'core/image', 'explainers']) {
  for (const e of readdirSync(join(dist, d)).sort()) if (e.endsWith('.js')) h.update(`${d}/${e}:${statSync(join(dist, d, e)).mtimeMs}\n`);
}
const key = h.digest('hex');
const stamp = join(out, '.key');
if (!FORCE && existsSync(stamp) && readFileSync(stamp, 'utf8') === key && existsSync(join(out, 'bias.json'))) {
  console.log('build-bias: up to date');
  process.exit(0);
}

const lib = (p) => import(pathToFileURL(join(dist, p)).href);
const t0 = performance.now();
const { FsModelStore } = await lib('core/models/fs-store.js');
const { LoadedModel } = await lib('core/models/loaded-model.js');
const { createNodeRuntime } = await lib('core/runtime/node.js');
const { explanationPng } = await lib('core/render.js');
const { COOLWARM, VIRIDIS, colorAt } = await lib('core/image/colormap.js');
const { createRaster } = await lib('core/image/raster.js');
const bias = await lib('core/bias/index.js');
const { getExplainer } = await lib('explainers/index.js');

const store = new FsModelStore(join(root, 'models'));
const manifest = await store.manifest(MODEL);
const model = new LoadedModel(manifest, await store.modelBytes(MODEL), createNodeRuntime({ backend: 'native', threads: 2 }));

const set = { seed: SEED, split: 'unbiased', count: COUNT };
const train = { seed: SEED, split: 'train', count: TRAIN_COUNT };
const trainPhi = bias.phiMatrix(bias.generatedLabels(train));
const shardLog = [];
const tStart = performance.now();
let tPredicted = tStart;
const report = await bias.analyzeGeneratedSet(model, set, {
  attribution: bias.explainerAttribution(getExplainer(METHOD), model),
  evidenceCount: EVIDENCE,
  shards: SHARDS,
  explainPhi: trainPhi,
  onProgress: (phase) => {
    if (phase === 'predict') tPredicted = performance.now();
  },
  onShardProgress: (s, d, t) => {
    if (d === t) shardLog.push({ shard: s.index, start: s.start, end: s.end, ms: Math.round(performance.now() - t0) });
  },
});
const timings = { predictMs: tPredicted - tStart, evidenceMs: performance.now() - tPredicted };
await model.dispose();

// Everything in the page's JSON is plain numbers; colours are precomputed with the library's colormaps.
const hex = (rgb) => '#' + rgb.map((v) => v.toString(16).padStart(2, '0')).join('');
const ink = ([r, g, b]) => (0.2126 * r + 0.7152 * g + 0.0722 * b > 140 ? '#000000' : '#ffffff');
const round = (v, d = 4) => (v === null || v === undefined ? null : Number(v.toFixed(d)));
/** A phi matrix with counts and the coolwarm colour of every cell (phi -1..1 -> 0..1; diff likewise). */
function matrix(m) {
  return {
    names: m.names,
    n: m.n,
    cells: m.cells.map((row) =>
      row.map((c) => {
        const rgb = c.phi === null ? [238, 238, 238] : colorAt(COOLWARM, (c.phi + 1) / 2);
        return { phi: round(c.phi), n11: c.n11, n10: c.n10, n01: c.n01, n00: c.n00, bg: hex(rgb), fg: ink(rgb) };
      }),
    ),
  };
}
const { data, model: predicted, difference } = report.correlation;
const diff = {
  names: difference.names,
  cells: difference.diff.map((row) =>
    row.map((d) => {
      const rgb = d === null ? [238, 238, 238] : colorAt(COOLWARM, (Math.max(-1, Math.min(1, d)) + 1) / 2);
      return { diff: round(d), bg: hex(rgb), fg: ink(rgb) };
    }),
  ),
};

// Per attribute: the mean portrait of the evidence images where the model predicts it, with the average map.
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'maps'), { recursive: true });
const S = bias.PORTRAIT_SIZE;
const portraits = Array.from({ length: EVIDENCE }, (_, i) => bias.generatePortrait(SEED, 'unbiased', i));
const predIdx = new Map(report.evidence.attributes.map((e, a) => [e.attribute, a]));
const { predictions } = await (async () => {
  // predictions again for the first EVIDENCE images only (cheap): which images each average covers
  const m2 = new LoadedModel(manifest, await store.modelBytes(MODEL), createNodeRuntime({ backend: 'native', threads: 2 }));
  try {
    return await bias.predictGeneratedSet(m2, { ...set, count: EVIDENCE });
  } finally {
    await m2.dispose();
  }
})();
const k = bias.BIAS_ATTRIBUTES.length;
const attributes = report.evidence.attributes.map((e) => {
  const a = predIdx.get(e.attribute);
  const sum = new Float64Array(S * S * 3);
  let n = 0;
  portraits.forEach((p, i) => {
    if (!predictions.values[i * k + a]) return;
    n++;
    for (let j = 0; j < sum.length; j++) sum[j] += p.rgb[j];
  });
  const base = createRaster(S, S);
  for (let p = 0; p < S * S; p++) for (let c = 0; c < 3; c++) base.data[p * 4 + c] = n ? Math.round(sum[p * 3 + c] / n) : 128;
  const file = `maps/${e.attribute}.png`;
  const png = explanationPng(base, { map: e.map, width: S, height: S, signed: false }, { colorbar: true, minSide: 192, alpha: 0.55 });
  writeFileSync(join(out, file), png);
  const ex = e.explanation;
  const ti = trainPhi.names.indexOf(e.attribute);
  const tphi = (b) => round(trainPhi.cells[ti][trainPhi.names.indexOf(b)].phi, 2);
  const pct = (v) => `${(100 * v).toFixed(0)}%`;
  const human = (s) => s.replace(/_/g, ' ');
  return {
    attribute: e.attribute,
    region: bias.ATTRIBUTE_REGIONS[e.attribute],
    images: e.images,
    map: `/bias/${file}`,
    mapSize: { width: Buffer.from(png.buffer, png.byteOffset).readUInt32BE(16), height: Buffer.from(png.buffer, png.byteOffset).readUInt32BE(20) },
    shares: Object.fromEntries(Object.entries(e.shares).map(([g, v]) => [g, round(v)])),
    outside: round(e.outside),
    ownShare: round(e.ownShare),
    topRegion: e.topRegion,
    accuracy: round(report.accuracy[e.attribute]),
    flagged: e.flagged,
    ...(ex
      ? {
          flag: {
            region: ex.region,
            share: round(ex.share),
            trainPhi: tphi(ex.region),
            modelPhi: round(ex.modelPhi, 2),
            text: `${human(e.attribute)}: ${pct(ex.share)} of its evidence lies in the ${human(ex.region)} region (${pct(e.ownShare)} in its own); in the training data ${human(e.attribute)} and ${human(ex.region)} co-occur with phi ${tphi(ex.region)?.toFixed(2)}`,
          },
        }
      : {}),
  };
});

const legendStops = (cmap) => Array.from({ length: 11 }, (_, i) => `rgb(${colorAt(cmap, i / 10).join(' ')}) ${i * 10}%`).join(', ');
const json = {
  model: { id: MODEL, title: manifest.title },
  method: METHOD,
  methodTitle: getExplainer(METHOD).title ?? METHOD,
  set: report.set,
  evidenceImages: EVIDENCE,
  shards: SHARDS,
  train: { seed: SEED, split: 'train', count: TRAIN_COUNT },
  accuracy: Object.fromEntries(Object.entries(report.accuracy).map(([a, v]) => [a, round(v)])),
  names: [...bias.BIAS_ATTRIBUTES],
  regions: report.evidence.regions,
  matrices: { labels: matrix(data), predictions: matrix(predicted), difference: diff, train: matrix(trainPhi) },
  attributes,
  flagged: report.evidence.flagged,
  legend: { coolwarm: legendStops(COOLWARM), viridis: legendStops(VIRIDIS) },
  build: { ms: Math.round(performance.now() - t0), ...Object.fromEntries(Object.entries(timings).map(([p, v]) => [p, Math.round(v)])), shards: shardLog },
};
writeFileSync(join(out, 'bias.json'), JSON.stringify(json, null, 1));
writeFileSync(stamp, key);
console.log(`build-bias: ${COUNT} images, evidence on ${EVIDENCE} in ${SHARDS} shards, flagged [${report.evidence.flagged.join(', ')}] in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
