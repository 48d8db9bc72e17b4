// Write the committed sample set of the bias views: models/samples/bias/ with PNGs of the generated
// 'unbiased' split (seed 0), list_attr.txt (CelebA format, usable with `xai bias --attributes`) and
// index.json (labels, region bounding boxes and run-length region masks per image).
// Needs the compiled library: run `npx tsc -p tsconfig.json` first (it writes dist/).
// Usage: node models/train/bias/export_samples.mjs [--count 60] [--out models/samples/bias]
import { encode } from 'fast-png';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeCelebA } from '../../../dist/core/bias/celeba.js';
import { BIAS_ATTRIBUTES, PORTRAIT_SIZE, generatePortrait } from '../../../dist/core/bias/generator.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '60' }, out: { type: 'string', default: 'models/samples/bias' } } });
const count = Number(values.count);
const seed = 0;
const split = 'unbiased';
const N = PORTRAIT_SIZE;
mkdirSync(values.out, { recursive: true });
for (const f of readdirSync(values.out)) if (f.endsWith('.png')) rmSync(join(values.out, f));

/** Runs of ones in a 0/1 mask, as [start, length] pairs over the row-major pixel index. */
function runs(mask) {
  const out = [];
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    let q = p;
    while (q < mask.length && mask[q]) q++;
    out.push([p, q - p]);
    p = q;
  }
  return out;
}
function box(mask) {
  let x0 = N, y0 = N, x1 = -1, y1 = -1;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    const x = p % N, y = Math.floor(p / N);
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  return [x0, y0, x1 + 1, y1 + 1];
}

const images = [];
const files = [];
const labelValues = new Uint8Array(count * BIAS_ATTRIBUTES.length);
for (let i = 0; i < count; i++) {
  const p = generatePortrait(seed, split, i);
  const tags = BIAS_ATTRIBUTES.filter((_, a) => p.labels[a]).join('-') || 'none';
  const file = `bias_${split}_${String(i).padStart(3, '0')}_${tags}.png`;
  writeFileSync(join(values.out, file), encode({ width: N, height: N, data: p.rgb, channels: 3, depth: 8 }));
  files.push(file);
  labelValues.set(p.labels, i * BIAS_ATTRIBUTES.length);
  images.push({
    file,
    index: i,
    labels: Object.fromEntries(BIAS_ATTRIBUTES.map((a, k) => [a, p.labels[k]])),
    boxes: Object.fromEntries(BIAS_ATTRIBUTES.map((a, k) => [a, box(p.masks[k])])),
    masks: Object.fromEntries(BIAS_ATTRIBUTES.map((a, k) => [a, runs(p.masks[k])])),
  });
}
const index = {
  generator: 'src/core/bias/generator.ts (default config)',
  script: 'models/train/bias/export_samples.mjs',
  seed,
  split,
  width: N,
  height: N,
  attributes: BIAS_ATTRIBUTES,
  boxesFormat: '[x0, y0, x1, y1), pixels',
  masksFormat: 'runs of [start, length] over the row-major pixel index y * width + x',
  images,
};
writeFileSync(join(values.out, 'index.json'), JSON.stringify(index) + '\n');
writeFileSync(join(values.out, 'list_attr.txt'), writeCelebA({ names: [...BIAS_ATTRIBUTES], n: count, values: labelValues, files }));
console.log(`wrote ${count} images, index.json and list_attr.txt to ${values.out}`);
