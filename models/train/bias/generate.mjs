// Write the generated bias data set (src/core/bias/generator.ts) as raw files for train_bias.py:
// <out>/<split>.bin (uint8 [n, 64, 64, 3] RGB) and <out>/<split>.json ({attributes, labels: n x 6 0/1}).
// Needs the compiled library: run `npx tsc -p tsconfig.json` first (it writes dist/).
// Usage: node models/train/bias/generate.mjs [--out /tmp/bias-data] [--seed 0] [--train 20000] [--test 2000] [--unbiased 2000]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BIAS_ATTRIBUTES, PORTRAIT_SIZE, portraitLabels, portraitLayout, renderPortrait } from '../../../dist/core/bias/generator.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: '/tmp/bias-data' },
    seed: { type: 'string', default: '0' },
    train: { type: 'string', default: '20000' },
    test: { type: 'string', default: '2000' },
    unbiased: { type: 'string', default: '2000' },
  },
});
const seed = Number(values.seed);
mkdirSync(values.out, { recursive: true });
for (const split of ['train', 'test', 'unbiased']) {
  const n = Number(values[split]);
  const px = PORTRAIT_SIZE * PORTRAIT_SIZE * 3;
  const bin = new Uint8Array(n * px);
  const labels = [];
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const l = portraitLabels(seed, split, i);
    bin.set(renderPortrait(portraitLayout(seed, split, i), l), i * px);
    labels.push(Array.from(l));
  }
  writeFileSync(join(values.out, `${split}.bin`), bin);
  writeFileSync(join(values.out, `${split}.json`), JSON.stringify({ seed, split, size: PORTRAIT_SIZE, attributes: BIAS_ATTRIBUTES, labels }));
  console.log(`${split}: ${n} images in ${((Date.now() - t0) / 1000).toFixed(1)}s -> ${join(values.out, split)}.bin`);
}
