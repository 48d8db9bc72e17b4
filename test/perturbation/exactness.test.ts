// Exactness against known truths, on fake models (pure TypeScript functions of the input behind the Session
// interface): LIME recovers the weights of a model linear in superpixel indicators and equals a dense
// weighted ridge; KernelSHAP equals brute-force Shapley values; RISE puts the map's mass on the one region
// the model looks at.
import { describe, expect, it } from 'vitest';
import { explainWith } from '../../src/core/perturbation/engine.js';
import { gridSuperpixels } from '../../src/core/perturbation/superpixels/index.js';
import { kernelShapMethod } from '../../src/explainers/kernel-shap.js';
import { limeMethod } from '../../src/explainers/lime.js';
import { riseMethod } from '../../src/explainers/rise.js';
import { expectAllClose } from '../helpers/close.js';
import { fakeModel, request } from './helpers.js';

const H = 16;
const W = 16;

/** Fraction of each superpixel that is still "on" (input is all ones, baseline 0): exactly 0 or 1. */
function indicators(x: Float32Array, off: number, labels: Int32Array, m: number): Float64Array {
  const on = new Float64Array(m);
  const n = new Float64Array(m);
  for (let i = 0; i < H * W; i++) {
    on[labels[i]] += x[off + i];
    n[labels[i]]++;
  }
  for (let j = 0; j < m; j++) on[j] /= n[j];
  return on;
}

/** A model of superpixel indicators z: scores[k] = f(z)[k], on a 1 x 16 x 16 all-ones input. */
function coalitionModel(segments: number, classes: number, f: (z: Float64Array) => number[], seen?: Float64Array[]) {
  const { labels, count } = gridSuperpixels(H, W, segments);
  const model = fakeModel('coalition-model', [1, H, W], classes, (x, n) => {
    const out = new Float32Array(n * classes);
    for (let b = 0; b < n; b++) {
      const z = indicators(x, b * H * W, labels, count);
      seen?.push(z);
      out.set(f(z), b * classes);
    }
    return out;
  });
  // Float32 outputs: keep the test functions' values exactly representable by using float64 -> float32 once.
  return { model, m: count, input: { data: new Float32Array(H * W).fill(1), shape: [1, 1, H, W] } };
}

/** Dense weighted ridge with unpenalised intercept via Gaussian elimination (independent of the engine). */
function denseRidge(zs: Float64Array[], ys: number[], ws: number[], alpha: number): { beta: number[]; b0: number } {
  const m = zs[0].length;
  const n = m + 1;
  const A = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (let r = 0; r < zs.length; r++) {
    const v = [1, ...zs[r]];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) A[i][j] += ws[r] * v[i] * v[j];
      A[i][n] += ws[r] * v[i] * ys[r];
    }
  }
  for (let i = 1; i < n; i++) A[i][i] += alpha;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= n; k++) A[r][k] -= f * A[c][k];
    }
  }
  const x = A.map((row, i) => row[n] / row[i]);
  return { b0: x[0], beta: x.slice(1) };
}

/** Exact Shapley values of a set function over m players (brute force over subsets). */
function bruteShapley(m: number, f: (z: Float64Array) => number): number[] {
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const phi = new Array<number>(m).fill(0);
  for (let code = 0; code < 2 ** m; code++) {
    const z = Float64Array.from({ length: m }, (_, j) => Math.floor(code / 2 ** j) % 2);
    const s = z.reduce((a, b) => a + b, 0);
    const fz = f(z);
    for (let j = 0; j < m; j++) {
      if (z[j]) continue;
      const with_ = Float64Array.from(z);
      with_[j] = 1;
      phi[j] += ((fact(s) * fact(m - s - 1)) / fact(m)) * (f(with_) - fz);
    }
  }
  return phi;
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

describe('LIME', () => {
  // Weights are multiples of 1/8 so float32 scores are exact.
  const A = [
    [0.5, -1.25, 2, 0.75, -0.5, 1, 0, 1.5, -2, 0.25, 0.125, -0.75, 1.25, -1, 0.375, 2.5],
    [1, 0.5, -0.5, 0, 0.25, -0.25, 1.5, -1.5, 0.75, -0.75, 2, -2, 0.125, -0.125, 1, -1],
    [-1, -1, -1, -1, 2, 2, 2, 2, 0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5],
  ];
  const C = [0.25, -1, 3];
  const linear = (z: Float64Array) => A.map((a, k) => C[k] + a.reduce((s, v, j) => s + v * z[j], 0));

  it('recovers the weights of a model linear in the superpixel indicators (alpha 0), for several classes in one run', async () => {
    const { model, m, input } = coalitionModel(16, 3, linear);
    expect(m).toBe(16);
    const e = await explainWith(limeMethod, request(model, input, limeMethod, { target: 0, seed: 3, params: { samples: 400, segmentation: 'grid', segments: 16, baseline: 'value', baselineValue: 0, alpha: 0, scores: 'logits', topLabels: 2 } }));
    const sur = (e.extras as { surrogates: Record<string, { weights: number[]; intercept: number; r2: number }> }).surrogates;
    expect(Object.keys(sur).sort()).toEqual(['0', '1', '2']);
    for (let k = 0; k < 3; k++) {
      expect(relErr(sur[k].weights, A[k])).toBeLessThanOrEqual(1e-6);
      expect(sur[k].intercept).toBeCloseTo(C[k], 6);
      expect(sur[k].r2).toBeCloseTo(1, 9);
    }
    // The map paints each superpixel with its weight.
    const { labels } = gridSuperpixels(H, W, 16);
    expectAllClose(e.map, Array.from(labels, (l) => A[0][l]), { atol: 1e-6, rtol: 1e-6 });
  });

  it('equals a dense weighted ridge (alpha 1, cosine kernel 0.25) on a non-linear model', async () => {
    const seen: Float64Array[] = [];
    const f = (z: Float64Array) => [Math.fround(linear(z)[0] + 3 * z[0] * z[5] - 2 * z[3] * z[7] * z[9])];
    const { model, input } = coalitionModel(16, 1, f, seen);
    const e = await explainWith(limeMethod, request(model, input, limeMethod, { seed: 5, params: { samples: 300, segmentation: 'grid', segments: 16, baseline: 'value', baselineValue: 0, scores: 'logits', topLabels: 0 } }));
    const rows = seen.slice(1); // the first forward pass is the plan's unperturbed prediction
    expect(rows.length).toBe(300);
    expect(Array.from(rows[0])).toEqual(new Array(16).fill(1)); // first sample unperturbed
    const ws = rows.map((z) => {
      const on = z.reduce((a, b) => a + b, 0);
      const d = on === 0 ? 1 : 1 - on / Math.sqrt(on * 16);
      return Math.sqrt(Math.exp(-(d * d) / 0.0625));
    });
    const ref = denseRidge(rows, rows.map((z) => f(z)[0]), ws, 1);
    const sur = (e.extras as { surrogates: Record<string, { weights: number[]; intercept: number }> }).surrogates['0'];
    expect(relErr(sur.weights, ref.beta)).toBeLessThanOrEqual(1e-9);
    expect(sur.intercept).toBeCloseTo(ref.b0, 9);
  });
});

describe('KernelSHAP', () => {
  const a = [1.5, -2, 0.5, 3, -0.25, 1];
  const additive = (z: Float64Array) => 0.75 + a.reduce((s, v, j) => s + v * z[j], 0);
  const interacting = (z: Float64Array) => 0.5 + 3 * z[0] * z[1] + 2 * z[2] * z[3] * z[4] - z[0] * z[5] + 0.5 * z[5];

  for (const [name, f] of [['additive', additive], ['interacting', interacting]] as const) {
    it(`equals exact Shapley values of a small ${name} model (all coalitions enumerated)`, async () => {
      const { model, m, input } = coalitionModel(6, 1, (z) => [f(z)]);
      expect(m).toBe(6);
      const e = await explainWith(kernelShapMethod, request(model, input, kernelShapMethod, { seed: 1, params: { samples: 64, segmentation: 'grid', segments: 6, baseline: 'value', baselineValue: 0, scores: 'logits' } }));
      const x = e.extras as { exact: boolean; shapley: Record<string, { values: number[]; base: number; full: number }> };
      expect(x.exact).toBe(true);
      const truth = bruteShapley(6, f);
      expect(relErr(x.shapley['0'].values, truth)).toBeLessThanOrEqual(1e-6);
      // Efficiency: the values add up to f(all) - f(none).
      const sum = x.shapley['0'].values.reduce((p, v) => p + v, 0);
      expect(sum).toBeCloseTo(f(new Float64Array(6).fill(1)) - f(new Float64Array(6)), 9);
      expect(e.passes).toBe(64 + 1);
    });
  }

  it('recovers an additive model from sampled coalitions (16 superpixels, 300 samples)', async () => {
    const b = Array.from({ length: 16 }, (_, j) => ((j * 7) % 5) - 2 + j / 8);
    const f = (z: Float64Array) => [-1 + b.reduce((s, v, j) => s + v * z[j], 0)];
    const { model, input } = coalitionModel(16, 1, f);
    const e = await explainWith(kernelShapMethod, request(model, input, kernelShapMethod, { seed: 9, params: { samples: 300, segmentation: 'grid', segments: 16, baseline: 'value', baselineValue: 0, scores: 'logits' } }));
    const x = e.extras as { exact: boolean; shapley: Record<string, { values: number[] }> };
    expect(x.exact).toBe(false);
    expect(relErr(x.shapley['0'].values, b)).toBeLessThanOrEqual(1e-6);
  });
});

describe('RISE', () => {
  // RISE maps are blurred at the scale of a grid cell (a pixel's mask value is shared with pixels up to one
  // cell away), so the region is large against a cell (8 px), and the score is a steep function of it.
  for (const seed of [4, 5, 6]) it(`puts >= 90% of the positive mass (above the neutral level E[score]) on the region the model looks at (seed ${seed})`, async () => {
    const S = 64;
    const inRegion = (_y: number, x: number) => x < 32;
    const model = fakeModel('region-model', [1, S, S], 2, (x, n) => {
      const out = new Float32Array(n * 2);
      for (let b = 0; b < n; b++) {
        let s = 0;
        let c = 0;
        for (let y = 0; y < S; y++) for (let xx = 0; xx < S; xx++) if (inRegion(y, xx)) (s += x[b * S * S + y * S + xx]), c++;
        out[b * 2] = 6 * (s / c) ** 3;
      }
      return out;
    });
    const input = { data: new Float32Array(S * S).fill(1), shape: [1, 1, S, S] };
    const e = await explainWith(riseMethod, request(model, input, riseMethod, { target: 0, seed, batchSize: 64, params: { masks: 16000, grid: 8, p: 0.5, scores: 'logits' } }));
    const neutral = (e.extras as { meanScore: number }).meanScore;
    let inside = 0;
    let all = 0;
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const v = Math.max(0, e.map[y * S + x] - neutral);
        all += v;
        if (inRegion(y, x)) inside += v;
      }
    }
    expect(inside / all, `fraction ${(inside / all).toFixed(3)}`).toBeGreaterThanOrEqual(0.9);
    expect(e.passes).toBe(16000);
  });
});
