// Sharded evidence (issue 7): shardRanges, any split of the image range into shards merges to the same
// report as one pass (<= 1e-9), on hand-made maps and on the committed model with Grad-CAM, with progress per
// shard, a custom shard runner (where a worker thread plugs in), and the training split's phi explaining flags.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeGeneratedSet, generatedLabels, shardRanges, type BiasReport, type EvidenceShard } from '../../src/core/bias/analyze.js';
import { explainerAttribution } from '../../src/core/bias/attribution.js';
import { phiMatrix } from '../../src/core/bias/correlation.js';
import { accumulateEvidence, evidenceReport, mergeEvidence, type EvidenceReport, type EvidenceSource } from '../../src/core/bias/evidence.js';
import { InvalidInputError } from '../../src/core/errors.js';
import { LoadedModel } from '../../src/core/models/loaded-model.js';
import { parseManifest } from '../../src/core/models/manifest.js';
import { createNodeRuntime } from '../../src/core/runtime/node.js';
import { SampleRng } from '../../src/core/perturbation/prng.js';
import { gradCamSpec } from '../../src/explainers/grad-cam.js';

/** Largest absolute difference between two evidence reports (maps, shares, concentrations), and equal flags. */
function reportDiff(a: EvidenceReport, b: EvidenceReport): number {
  expect(b.flagged).toEqual(a.flagged);
  let worst = 0;
  a.attributes.forEach((x, i) => {
    const y = b.attributes[i];
    expect(y.attribute).toBe(x.attribute);
    expect(y.images).toBe(x.images);
    expect(y.flagged).toBe(x.flagged);
    expect(y.explanation?.text).toBe(x.explanation?.text);
    for (let p = 0; p < x.map.length; p++) worst = Math.max(worst, Math.abs(x.map[p] - y.map[p]));
    for (const g of a.regions) worst = Math.max(worst, Math.abs(x.shares[g] - y.shares[g]), Math.abs(x.concentration[g] - y.concentration[g]));
    worst = Math.max(worst, Math.abs(x.outside - y.outside), Math.abs(x.ownShare - y.ownShare));
  });
  return worst;
}

describe('shardRanges', () => {
  it('covers [0, count) with contiguous near-equal ranges', () => {
    expect(shardRanges(10, 3)).toEqual([
      { index: 0, start: 0, end: 4 },
      { index: 1, start: 4, end: 7 },
      { index: 2, start: 7, end: 10 },
    ]);
    expect(shardRanges(2, 5).map((r) => [r.start, r.end])).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(shardRanges(0, 4)).toEqual([{ index: 0, start: 0, end: 0 }]);
    for (const bad of [0, 1.5, 2000]) expect(() => shardRanges(10, bad)).toThrow(InvalidInputError);
  });
});

describe('generatedLabels', () => {
  it('draws the same labels as generatePortrait (without rendering), for every split and an offset start', async () => {
    const { generatePortrait } = await import('../../src/core/bias/generator.js');
    for (const split of ['train', 'test', 'unbiased'] as const) {
      const t = generatedLabels({ seed: 4, split, start: 7, count: 30 });
      for (let i = 0; i < 30; i++) expect(Array.from(t.values.subarray(i * 6, i * 6 + 6))).toEqual(Array.from(generatePortrait(4, split, 7 + i).labels));
    }
  });
});

describe('any split merges to the one-pass report', () => {
  // 37 random 8x8 "images" with three regions and random signed maps per (image, attribute).
  const W = 8;
  const plane = W * W;
  const N = 37;
  const r0 = new SampleRng(5, 0);
  let c0 = 0;
  const rng = { next: () => r0.uniform(c0++) };
  const masks = [0, 1, 2].map((g) => Uint8Array.from({ length: plane }, (_, p) => (Math.floor(p / W) % 3 === g ? 1 : 0)));
  const items = Array.from({ length: N }, (_, i) => ({
    input: { data: Float32Array.of(i), shape: [1, 1, 1, 1] },
    predicted: Uint8Array.from({ length: 3 }, () => (rng.next() < 0.6 ? 1 : 0)),
    masks,
    maps: Array.from({ length: 3 }, () => Float32Array.from({ length: plane }, () => rng.next() * 2 - 0.7)),
  }));
  const source: EvidenceSource = { count: N, item: (i) => items[i] };
  const opts = { attributes: ['a', 'b', 'c'], regions: ['a', 'b', 'c'], width: W, height: W, attribution: async (x: { data: Float32Array }, t: number) => items[x.data[0]].maps[t] };

  it('random cut points, 1 to 12 shards, in any merge order: same report within 1e-9', async () => {
    const one = evidenceReport(await accumulateEvidence(source, opts), { minImages: 1 });
    const r1 = new SampleRng(9, 1);
    let c1 = 0;
    const cut = { next: () => r1.uniform(c1++) };
    for (let trial = 0; trial < 12; trial++) {
      const k = 1 + (trial % 12);
      const cuts = new Set<number>([0, N]);
      while (cuts.size < k + 1) cuts.add(1 + Math.floor(cut.next() * (N - 1)));
      const bounds = [...cuts].sort((x, y) => x - y);
      const parts = await Promise.all(bounds.slice(1).map((end, j) => accumulateEvidence(source, { ...opts, start: bounds[j], end })));
      if (trial % 2) parts.reverse();
      expect(reportDiff(one, evidenceReport(mergeEvidence(parts), { minImages: 1 }))).toBeLessThanOrEqual(1e-9);
    }
  });
});

describe('analyzeGeneratedSet with shards (committed model, Grad-CAM)', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    const dir = new URL('../../models/bias-attributes/', import.meta.url);
    const manifest = parseManifest(JSON.parse(await readFile(new URL('manifest.json', dir), 'utf8')));
    model = new LoadedModel(manifest, new Uint8Array(await readFile(new URL('model.onnx', dir))), createNodeRuntime({ threads: 2 }));
  });
  afterAll(async () => {
    await model?.dispose();
  });

  const set = { seed: 3, split: 'unbiased' as const, count: 120 };
  let one: BiasReport;

  it('1, 3 and 7 shards give the same report (<= 1e-9), with progress per shard', async () => {
    const attribution = explainerAttribution(gradCamSpec, model);
    const trainPhi = phiMatrix(generatedLabels({ seed: 3, split: 'train', count: 2000 }));
    one = await analyzeGeneratedSet(model, set, { attribution, evidenceCount: 50, explainPhi: trainPhi });
    for (const shards of [3, 7]) {
      const events: [number, number, number][] = [];
      const overall: number[] = [];
      const r = await analyzeGeneratedSet(model, set, {
        attribution,
        evidenceCount: 50,
        shards,
        explainPhi: trainPhi,
        onShardProgress: (s, d, t) => events.push([s.index, d, t]),
        onProgress: (phase, d) => phase === 'evidence' && overall.push(d),
      });
      expect(r.correlation).toEqual(one.correlation);
      expect(r.accuracy).toEqual(one.accuracy);
      expect(reportDiff(one.evidence!, r.evidence!)).toBeLessThanOrEqual(1e-9);
      const ranges = shardRanges(50, shards);
      for (const s of ranges) {
        const mine = events.filter((e) => e[0] === s.index);
        expect(mine.map((e) => e[1])).toEqual(Array.from({ length: s.end - s.start }, (_, i) => i + 1));
        expect(mine.every((e) => e[2] === s.end - s.start)).toBe(true);
      }
      expect(overall.length).toBe(50);
      expect(overall.at(-1)).toBe(50);
    }
    // The flag's explanation quotes the training split's phi, not the unbiased set's (about 0).
    const lip = one.evidence!.attributes.find((e) => e.attribute === 'lipstick')!;
    expect(lip.flagged).toBe(true);
    expect(lip.explanation!.region).toBe('long_hair');
    expect(lip.explanation!.dataPhi!).toBeGreaterThan(0.7);
  }, 120_000);

  it('a custom shard runner gets every range once and its partials are merged', async () => {
    const attribution = explainerAttribution(gradCamSpec, model);
    const seen: EvidenceShard[] = [];
    const { generatedEvidenceSource, predictGeneratedSet } = await import('../../src/core/bias/analyze.js');
    const { predictions } = await predictGeneratedSet(model, set);
    const source = generatedEvidenceSource(model, set, predictions);
    const names = ['hat', 'long_hair', 'glasses', 'beard', 'rosy_cheeks', 'lipstick'];
    const r = await analyzeGeneratedSet(model, set, {
      attribution,
      evidenceCount: 50,
      shards: 4,
      explainPhi: phiMatrix(generatedLabels({ seed: 3, split: 'train', count: 2000 })),
      runShard: async (s, onProgress) => {
        seen.push(s);
        return accumulateEvidence(source, { attributes: names, regions: names, width: 64, height: 64, start: s.start, end: s.end, attribution: (x, a) => attribution(x, a), onProgress });
      },
    });
    expect(seen.map((s) => [s.start, s.end])).toEqual(shardRanges(50, 4).map((s) => [s.start, s.end]));
    expect(reportDiff(one.evidence!, r.evidence!)).toBeLessThanOrEqual(1e-9);
  }, 120_000);
});
