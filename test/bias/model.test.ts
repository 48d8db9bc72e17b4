// The committed bias-attributes model on freshly generated data (a seed it was not trained on): accuracy per
// attribute, the designed bias as an accuracy drop and a correlation gap, and the evidence analysis flagging
// lipstick -> long hair with a region-free attribution (occlusion) computed on the real model.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainerAttribution } from '../../src/core/bias/attribution.js';
import { analyzeGeneratedSet, generatedLabels, predictGeneratedSet, type BiasReport } from '../../src/core/bias/analyze.js';
import { attributeAccuracy, correlationReport } from '../../src/core/bias/correlation.js';
import type { AttributionFn } from '../../src/core/bias/evidence.js';
import { BIAS_ATTRIBUTES } from '../../src/core/bias/generator.js';
import { InvalidInputError } from '../../src/core/errors.js';
import { LoadedModel } from '../../src/core/models/loaded-model.js';
import { parseManifest } from '../../src/core/models/manifest.js';
import { forward } from '../../src/core/predict.js';
import { createNodeRuntime } from '../../src/core/runtime/node.js';
import { gradCamSpec } from '../../src/explainers/grad-cam.js';
import type { Tensor } from '../../src/core/tensor.js';

const DIR = new URL('../../models/bias-attributes/', import.meta.url);
const SEED = 11; // the committed model was trained on seed 0
// rosy_cheeks is not among them: the committed model learned it only partly (about 0.67, see manifest metrics).
const EASY = ['hat', 'long_hair', 'glasses', 'beard'];

let model: LoadedModel;
beforeAll(async () => {
  const manifest = parseManifest(JSON.parse(await readFile(new URL('manifest.json', DIR), 'utf8')));
  model = new LoadedModel(manifest, new Uint8Array(await readFile(new URL('model.onnx', DIR))), createNodeRuntime({ threads: 2 }));
});
afterAll(async () => {
  await model?.dispose();
});

/**
 * Occlusion (Zeiler & Fergus 2014) without regions: the drop of each logit when an 8x8 patch (stride 4) is set
 * to the input's zero, i.e. mid-grey; a pixel's value is the mean drop of the patches covering it. One batch
 * of 225 forward passes per image gives the maps of every target, so they are cached per input.
 */
function occlusion(m: LoadedModel, patch = 8, stride = 4): AttributionFn {
  const cache = new WeakMap<Float32Array, Float32Array[]>();
  return async (input: Tensor, target: number) => {
    let maps = cache.get(input.data);
    if (!maps) {
      const [, c, h, w] = input.shape;
      const plane = h * w;
      const pos: [number, number][] = [];
      for (let y = 0; y + patch <= h; y += stride) for (let x = 0; x + patch <= w; x += stride) pos.push([x, y]);
      const batch = new Float32Array(pos.length * c * plane);
      pos.forEach(([x0, y0], s) => {
        const o = batch.subarray(s * c * plane, (s + 1) * c * plane);
        o.set(input.data);
        for (let ch = 0; ch < c; ch++) for (let y = y0; y < y0 + patch; y++) o.fill(0, ch * plane + y * w + x0, ch * plane + y * w + x0 + patch);
      });
      const base = (await forward(m, input)).data;
      const out = (await forward(m, { data: batch, shape: [pos.length, c, h, w] })).data;
      const k = base.length;
      maps = Array.from({ length: k }, () => new Float32Array(plane));
      const cover = new Float32Array(plane);
      pos.forEach(([x0, y0], s) => {
        for (let y = y0; y < y0 + patch; y++) {
          for (let x = x0; x < x0 + patch; x++) {
            cover[y * w + x]++;
            for (let t = 0; t < k; t++) maps![t][y * w + x] += base[t] - out[s * k + t];
          }
        }
      });
      for (const mp of maps) for (let p = 0; p < plane; p++) mp[p] = cover[p] ? mp[p] / cover[p] : 0;
      cache.set(input.data, maps);
    }
    return maps[target];
  };
}

describe('bias-attributes model', () => {
  it('manifest: multilabel logits over the six generator attributes, 64x64 RGB', () => {
    const m = model.manifest;
    expect(m.task).toBe('multilabel');
    expect(m.output.kind).toBe('logits');
    expect(m.labels).toEqual([...BIAS_ATTRIBUTES]);
    expect(m.input.shape).toEqual([-1, 3, 64, 64]);
    expect(m.camLayer).toBe('/relu4/Relu_output_0');
  });

  it('is accurate on the easy attributes and loses lipstick accuracy on the unbiased split', async () => {
    const test = await predictGeneratedSet(model, { seed: SEED, split: 'test', count: 1000 });
    const unbiased = await predictGeneratedSet(model, { seed: SEED, split: 'unbiased', count: 1000 });
    const accTest = attributeAccuracy(generatedLabels({ seed: SEED, split: 'test', count: 1000 }), test.predictions);
    const accUnb = attributeAccuracy(generatedLabels({ seed: SEED, split: 'unbiased', count: 1000 }), unbiased.predictions);
    for (const a of EASY) {
      expect(accTest[a], `${a} on test`).toBeGreaterThanOrEqual(0.9);
      expect(accUnb[a], `${a} on unbiased`).toBeGreaterThanOrEqual(0.9);
    }
    // the symptom: right on the biased split, close to chance where lipstick and long hair are independent
    expect(accTest.lipstick).toBeGreaterThanOrEqual(0.85);
    expect(accUnb.lipstick).toBeLessThanOrEqual(0.7);
    expect(accTest.lipstick - accUnb.lipstick).toBeGreaterThanOrEqual(0.2);
  });

  it("the model's predictions keep lipstick ~ long_hair where the data has none", async () => {
    const set = { seed: SEED, split: 'unbiased' as const, count: 600 };
    const { predictions } = await predictGeneratedSet(model, set);
    const r = correlationReport(generatedLabels(set), predictions);
    const li = BIAS_ATTRIBUTES.indexOf('lipstick');
    const hi = BIAS_ATTRIBUTES.indexOf('long_hair');
    expect(Math.abs(r.data.cells[li][hi].phi!)).toBeLessThan(0.1);
    expect(r.model!.cells[li][hi].phi!).toBeGreaterThan(0.5);
    expect(r.difference!.diff[li][hi]!).toBeGreaterThan(0.4);
  });

  it('refuses a model that does not predict the generator attributes', async () => {
    const other = new LoadedModel({ ...model.manifest, task: 'classification' }, model.bytes, model.runtime);
    await expect(predictGeneratedSet(other, { seed: 0, split: 'test', count: 1 })).rejects.toThrow(InvalidInputError);
  });

  let report: BiasReport;
  it('flags lipstick: its evidence lies in the long hair region, explained by phi 0.8 in the data', async () => {
    report = await analyzeGeneratedSet(model, { seed: SEED, split: 'test', count: 400 }, { attribution: occlusion(model), evidenceCount: 60 });
    const ev = report.evidence!;
    const lip = ev.attributes.find((e) => e.attribute === 'lipstick')!;
    expect(lip.flagged).toBe(true);
    expect(lip.topRegion).toBe('long_hair');
    expect(lip.shares.long_hair).toBeGreaterThan(lip.shares.lipstick);
    expect(lip.explanation!.dataPhi!).toBeGreaterThan(0.7);
  });

  it('does not flag the attributes without designed correlations, nor the correlated but easy ones', () => {
    const ev = report.evidence!;
    for (const a of ['beard', 'rosy_cheeks', 'long_hair', 'hat', 'glasses']) {
      const e = ev.attributes.find((x) => x.attribute === a)!;
      expect(e.images, a).toBeGreaterThan(5);
      expect(e.flagged, `${a}: ${JSON.stringify(e.shares)}`).toBe(false);
      // Well-learned attributes: the densest evidence is in their own region. Not asserted for rosy_cheeks,
      // which the model learned only partly: under 8x8 occlusion its densest (but small, 0.18) share is the
      // glasses ring just above the cheeks.
      if (a === 'rosy_cheeks') continue;
      const densest = Object.entries(e.concentration).sort((x, y) => y[1] - x[1])[0][0];
      expect(densest, a).toBe(a);
    }
    expect(ev.flagged).toEqual(['lipstick']);
  });

  it('Grad-CAM (the default method of `xai bias`) flags lipstick -> long hair too, and nothing else', async () => {
    const r = await analyzeGeneratedSet(model, { seed: SEED, split: 'test', count: 200 }, { attribution: explainerAttribution(gradCamSpec, model), evidenceCount: 60 });
    const ev = r.evidence!;
    const lip = ev.attributes.find((e) => e.attribute === 'lipstick')!;
    expect(lip.topRegion, JSON.stringify(lip.shares)).toBe('long_hair');
    expect(ev.flagged).toEqual(['lipstick']);
  });
});
