// Phi coefficients of attribute pairs: a hand-computed 2x2 table, shard merging, predictions and differences.
import { describe, expect, it } from 'vitest';
import {
  addPairCounts,
  attributeAccuracy,
  correlationReport,
  pairCounts,
  phi,
  phiFromCounts,
  phiMatrix,
  predictionsTable,
  type AttributeTable,
} from '../../src/core/bias/correlation.js';
import { InvalidInputError } from '../../src/core/errors.js';

/** Two attributes with the 2x2 table n11 = 20, n10 = 5, n01 = 10, n00 = 15 (n = 50), plus a third one. */
function handTable(): AttributeTable {
  const rows: number[][] = [];
  const push = (a: number, b: number, times: number) => {
    for (let i = 0; i < times; i++) rows.push([a, b, rows.length % 2]);
  };
  push(1, 1, 20);
  push(1, 0, 5);
  push(0, 1, 10);
  push(0, 0, 15);
  return { names: ['A', 'B', 'C'], n: rows.length, values: Uint8Array.from(rows.flat()) };
}

describe('phi coefficient', () => {
  it('matches the hand computation (20*15 - 5*10) / sqrt(25*25*30*20) = 0.408248...', () => {
    const expected = 250 / Math.sqrt(25 * 25 * 30 * 20);
    expect(expected).toBeCloseTo(0.4082483, 7);
    expect(phi({ n11: 20, n10: 5, n01: 10, n00: 15 })).toBeCloseTo(expected, 12);
    const m = phiMatrix(handTable());
    expect(m.n).toBe(50);
    expect(m.cells[0][1]).toEqual({ n11: 20, n10: 5, n01: 10, n00: 15, phi: expect.closeTo(expected, 12) });
    // transposed cell: the same phi, the off-diagonal counts swap
    expect(m.cells[1][0]).toMatchObject({ n11: 20, n10: 10, n01: 5, n00: 15 });
    expect(m.cells[1][0].phi).toBeCloseTo(expected, 12);
    expect(m.cells[0][0].phi).toBe(1);
    expect(m.cells[2][2]).toMatchObject({ n11: 25, n10: 0, n01: 0, n00: 25, phi: 1 });
  });

  it('equals the Pearson correlation of the 0/1 columns', () => {
    const t = handTable();
    const col = (k: number) => Array.from({ length: t.n }, (_, i) => t.values[i * 3 + k]);
    const pearson = (x: number[], y: number[]) => {
      const mx = x.reduce((s, v) => s + v, 0) / x.length;
      const my = y.reduce((s, v) => s + v, 0) / y.length;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      x.forEach((v, i) => {
        sxy += (v - mx) * (y[i] - my);
        sxx += (v - mx) ** 2;
        syy += (y[i] - my) ** 2;
      });
      return sxy / Math.sqrt(sxx * syy);
    };
    const m = phiMatrix(t);
    expect(m.cells[0][2].phi).toBeCloseTo(pearson(col(0), col(2)), 12);
    expect(m.cells[1][2].phi).toBeCloseTo(pearson(col(1), col(2)), 12);
  });

  it('is null for a constant attribute, and -1 / 1 for perfect (anti-)correlation', () => {
    const t: AttributeTable = { names: ['x', 'y', 'const'], n: 4, values: Uint8Array.from([1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1]) };
    const m = phiMatrix(t);
    expect(m.cells[0][1].phi).toBe(-1);
    expect(m.cells[0][2].phi).toBeNull();
    expect(m.cells[2][2].phi).toBeNull();
  });

  it('pair counts of shards add up to the counts of the whole', () => {
    const t = handTable();
    const k = 3;
    const part = (a: number, b: number): AttributeTable => ({ names: t.names, n: b - a, values: t.values.slice(a * k, b * k) });
    const merged = addPairCounts(addPairCounts(pairCounts(part(0, 7)), pairCounts(part(7, 31))), pairCounts(part(31, 50)));
    expect([...merged]).toEqual([...pairCounts(t)]);
    expect(phiFromCounts(t.names, merged)).toEqual(phiMatrix(t));
  });

  it('thresholds logits into predictions and reports data, model and difference', () => {
    const labels = handTable();
    // model: A from its label, B always equal to A (a "shortcut"), C inverted
    const logits = new Float32Array(labels.n * 3);
    for (let i = 0; i < labels.n; i++) {
      const a = labels.values[i * 3];
      logits[i * 3] = a ? 2 : -2;
      logits[i * 3 + 1] = a ? 0.5 : -0.5;
      logits[i * 3 + 2] = labels.values[i * 3 + 2] ? -1 : 1;
    }
    const preds = predictionsTable({ data: logits, shape: [labels.n, 3] }, labels.names);
    const r = correlationReport(labels, preds);
    expect(r.model!.cells[0][1].phi).toBe(1);
    expect(r.difference!.diff[0][1]).toBeCloseTo(1 - 250 / Math.sqrt(25 * 25 * 30 * 20), 12);
    expect(attributeAccuracy(labels, preds)).toEqual({ A: 1, B: 35 / 50, C: 0 });
    expect(() => predictionsTable({ data: logits, shape: [labels.n * 3] }, labels.names)).toThrow(/need \[n, 3\]/);
  });

  it('rejects tables whose values are not 0/1 or whose size is wrong', () => {
    expect(() => phiMatrix({ names: ['a'], n: 2, values: Uint8Array.of(1, 2) })).toThrow(/item 1, attribute "a" is 2; allowed: 0 or 1/);
    expect(() => phiMatrix({ names: ['a', 'b'], n: 2, values: Uint8Array.of(1, 0, 1) })).toThrow(InvalidInputError);
  });
});
