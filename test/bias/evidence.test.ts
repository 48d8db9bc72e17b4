// Region shares of attribution mass, averaging, shard merging and flags, on hand-made maps with known answers.
import { describe, expect, it } from 'vitest';
import { phiMatrix } from '../../src/core/bias/correlation.js';
import { accumulateEvidence, evidenceReport, mergeEvidence, type EvidenceItem, type EvidenceSource } from '../../src/core/bias/evidence.js';
import type { Tensor } from '../../src/core/tensor.js';
import { expectAllClose } from '../helpers/close.js';

// 1x4 "images": region a = pixels 0-1, region b = pixel 2, pixel 3 outside both.
const masks = [Uint8Array.of(1, 1, 0, 0), Uint8Array.of(0, 0, 1, 0)];
const predicted = [
  [1, 1],
  [1, 0],
  [0, 1],
  [1, 1],
];
// The map depends on the image (its input's single value) and the target.
const maps: Record<string, number[]> = {
  '0:0': [0, 1, 3, 0], // a: 0.25 in a, 0.75 in b
  '1:0': [2, 0, 2, 0], // a: 0.5 / 0.5
  '3:0': [0, 0, 0, 0], // no positive mass: counted as empty
  '0:1': [-5, 0, 2, 2], // b: 0.5 in b, 0.5 outside
  '2:1': [0, 0, 1, 0], // b: all in b
  '3:1': [1, 0, 1, 2], // b: 0.25 a, 0.25 b, 0.5 outside
};
const source: EvidenceSource = {
  count: 4,
  item: (i): EvidenceItem => ({ input: { data: Float32Array.of(i), shape: [1, 1, 1, 1] }, predicted: predicted[i], masks }),
};
const calls: string[] = [];
const attribution = async (input: Tensor, target: number) => {
  const key = `${input.data[0]}:${target}`;
  calls.push(key);
  return Float32Array.from(maps[key]);
};
const opts = { attributes: ['a', 'b'], regions: ['a', 'b'], attribution, width: 4, height: 1 };

describe('attribution evidence per attribute', () => {
  it('averages normalised maps and region shares over the images where the attribute is predicted', async () => {
    calls.length = 0;
    const progress: number[] = [];
    const part = await accumulateEvidence(source, { ...opts, onProgress: (d) => progress.push(d) });
    expect(calls.sort()).toEqual(Object.keys(maps).sort());
    expect(progress).toEqual([1, 2, 3, 4]);
    expect([...part.images]).toEqual([2, 3]);
    expect([...part.empty]).toEqual([1, 0]);
    const r = evidenceReport(part, { minImages: 1 });
    const [a, b] = r.attributes;
    expectAllClose(a.map, [(0 + 0.5) / 2, (0.25 + 0) / 2, (0.75 + 0.5) / 2, 0]);
    expect(a.shares).toEqual({ a: (0.25 + 0.5) / 2, b: (0.75 + 0.5) / 2 });
    expect(a.outside).toBeCloseTo(0, 12);
    // b's shares: (0 + 0 + 0.25) / 3 in a, (0.5 + 1 + 0.25) / 3 in b
    expect(b.shares.a).toBeCloseTo(0.25 / 3, 12);
    expect(b.shares.b).toBeCloseTo(1.75 / 3, 12);
    expect(b.outside).toBeCloseTo(1 - 2 / 3, 12);
    // concentration: share over the region's area fraction (a: 2/4, b: 1/4)
    expect(a.concentration.b).toBeCloseTo(0.625 / 0.25, 12);
    expect(a.flagged).toBe(true);
    expect(a.topRegion).toBe('b');
    expect(b.flagged).toBe(false);
    expect(r.flagged).toEqual(['a']);
  });

  it('shards over image ranges merge to the single-run answer', async () => {
    const whole = await accumulateEvidence(source, opts);
    const parts = await Promise.all([
      accumulateEvidence(source, { ...opts, start: 0, end: 1 }),
      accumulateEvidence(source, { ...opts, start: 1, end: 3 }),
      accumulateEvidence(source, { ...opts, start: 3, end: 4 }),
    ]);
    const merged = mergeEvidence(parts);
    for (const f of ['images', 'empty', 'mapSum', 'shareSum', 'areaSum'] as const) expectAllClose(merged[f], whole[f], { atol: 1e-15 });
    await expect(accumulateEvidence(source, { ...opts, start: 2, end: 5 })).rejects.toThrow(/range \[2, 5\) is not within 0..4/);
  });

  it('explains a flag with the phi of the two attributes, and respects minShare and minImages', async () => {
    const part = await accumulateEvidence(source, opts);
    const labels = { names: ['a', 'b'], n: 4, values: Uint8Array.from(predicted.flat()) };
    const dataPhi = phiMatrix(labels);
    const r = evidenceReport(part, { dataPhi, minImages: 1 });
    const e = r.attributes[0].explanation!;
    expect(e.region).toBe('b');
    expect(e.share).toBeCloseTo(0.625, 12);
    expect(e.dataPhi).toBe(dataPhi.cells[0][1].phi);
    expect(e.text).toMatch(/^63% of the evidence for a lies in the b region, 38% in its own; in the data, a and b have phi -0\.33$/);
    expect(evidenceReport(part, { minShare: 0.7, minImages: 1 }).flagged).toEqual([]);
    expect(evidenceReport(part, { minImages: 3 }).flagged).toEqual([]);
  });

  it('does not flag a larger region that holds more mass at a lower concentration than the own region', async () => {
    // 1x8: own region "a" = pixel 0, region "b" = pixels 1-6; the map puts 0.3 on a and 0.7 spread over b
    const m8 = [Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0), Uint8Array.of(0, 1, 1, 1, 1, 1, 1, 0)];
    const src: EvidenceSource = { count: 5, item: (i) => ({ input: { data: Float32Array.of(i), shape: [1, 1, 1, 1] }, predicted: [1, 0], masks: m8 }) };
    const map = Float32Array.of(0.3, ...Array(6).fill(0.7 / 6), 0);
    const part = await accumulateEvidence(src, { ...opts, width: 8, attribution: async () => map });
    const [a] = evidenceReport(part).attributes;
    expect(a.shares.b).toBeCloseTo(0.7, 6);
    expect(a.concentration.a).toBeCloseTo(0.3 * 8, 5);
    expect(a.concentration.b).toBeCloseTo((0.7 / 6) * 8, 5);
    expect(a.topRegion).toBe('b');
    expect(a.flagged).toBe(false);
  });

  it('rejects maps of the wrong size and masks that do not match', async () => {
    await expect(accumulateEvidence(source, { ...opts, attribution: async () => new Float32Array(3) })).rejects.toThrow(/has 3 values; need 4/);
    const bad: EvidenceSource = { count: 1, item: () => ({ input: { data: Float32Array.of(0), shape: [1, 1, 1, 1] }, predicted: [1, 1], masks: [masks[0]] }) };
    await expect(accumulateEvidence(bad, opts)).rejects.toThrow(/need 2 region masks of 4x1/);
  });
});
