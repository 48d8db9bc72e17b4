// The engine's fast paths give exactly what the plain paths give: a method's compose() (JavaScript compose
// straight into the inputs) equals composeJs of its generate() keep masks bit for bit, and accumulates the same
// statistics; RISE's grid-level statistic, upsampled at the end, equals the pixel-level sum of score x mask.
import { describe, expect, it } from 'vitest';
import { composeImages, composeJs } from '../../src/core/perturbation/compose.js';
import { explainWith, planWith } from '../../src/core/perturbation/engine.js';
import { riseMask, riseTables } from '../../src/core/perturbation/rise-masks.js';
import type { PerturbationMethod } from '../../src/core/perturbation/types.js';
import { kernelShapMethod } from '../../src/explainers/kernel-shap.js';
import { limeMethod } from '../../src/explainers/lime.js';
import { occlusionMethod } from '../../src/explainers/occlusion.js';
import { riseMethod } from '../../src/explainers/rise.js';
import { fakeModel, maxAbs, maxAbsDiff, referenceInput, referenceModel, request } from './helpers.js';

const CASES: { method: PerturbationMethod<any, any>; params: Record<string, unknown> }[] = [
  { method: riseMethod, params: { masks: 50, grid: 5, topClasses: 1 } },
  { method: riseMethod, params: { masks: 40, grid: 3, p: 0.3 } },
  { method: occlusionMethod, params: { window: '6', stride: '3', baseline: 'mean' } },
  { method: occlusionMethod, params: { window: '2,5,7', stride: '1,4,3', baseline: 'blur' } },
  { method: limeMethod, params: { samples: 45, segmentation: 'slic', segments: 12 } },
  { method: kernelShapMethod, params: { samples: 45, segmentation: 'slic', segments: 12 } },
  { method: kernelShapMethod, params: { samples: 300, segmentation: 'grid', segments: 6 } },
  { method: limeMethod, params: { samples: 30, segmentation: 'grid', segments: 4, baseline: 'blur' } },
];

describe('fast paths', () => {
  const model = referenceModel('tinycnn');
  const input = referenceInput('tinycnn', 'astronaut_32');
  const paintModes = new Set<boolean>();

  for (const c of CASES) {
    it(`${c.method.name} ${JSON.stringify(c.params)}: compose() equals generate() + composeJs`, async () => {
      const m = c.method;
      expect(m.compose).toBeTypeOf('function');
      const req = request(model, input, m, { target: 3, params: c.params, seed: 7 });
      const plan = await planWith(m, req, 1);
      const sh = plan.shards[0];
      const ctx = { model, input, target: 3, params: req.params, seed: 7, total: sh.total, shared: sh.shared };
      const a = await m.prepare(ctx);
      const b = await m.prepare(ctx);
      if ('useRuns' in a) paintModes.add(a.useRuns);
      const [, C, h, w] = input.shape;
      const hw = h * w;
      const kc = m.keepChannels(a);
      const fill = m.fill(a);
      const images = composeImages(input.data, fill);
      const statsA: Record<string, Float64Array> = {};
      const statsB: Record<string, Float64Array> = {};
      for (const [k, n] of Object.entries(m.statistics(a))) {
        statsA[k] = new Float64Array(n);
        statsB[k] = new Float64Array(n);
      }
      const count = 13;
      for (let start = 0; start < sh.total; start += count) {
        const n = Math.min(count, sh.total - start);
        const keep = new Float32Array(n * kc * hw);
        const ma = m.generate(a, start, n, keep);
        const viaKeep = new Float32Array(n * C * hw);
        composeJs(keep, kc, images.delta, fill, C, hw, n, viaKeep);
        const direct = new Float32Array(n * C * hw).fill(Number.NaN);
        const mb = m.compose!(b, start, n, images, direct);
        for (let i = 0; i < direct.length; i++) if (!Object.is(direct[i], viaKeep[i])) throw new Error(`sample ${start + Math.floor(i / (C * hw))} element ${i % (C * hw)}: ${direct[i]} vs ${viaKeep[i]}`);
        const scores = Float32Array.from({ length: n * 10 }, (_, i) => Math.sin(start * 10 + i * 1.7));
        m.accumulate(a, ma, start, n, scores, 10, statsA);
        m.accumulate(b, mb, start, n, scores, 10, statsB);
      }
      for (const k of Object.keys(statsA)) expect(Array.from(statsB[k])).toEqual(Array.from(statsA[k]));
    });
  }

  it('occlusion composes incrementally on the reused batch buffer (short first and last batches): equal to generate() + composeJs', async () => {
    expect(occlusionMethod.incrementalCompose).toBe(true);
    for (const params of [{ window: '6', stride: '3', baseline: 'mean' }, { window: '2,5,7', stride: '1,4,3', baseline: 'blur' }]) {
      const m = occlusionMethod;
      const req = request(model, input, m, { target: 3, params, seed: 7 });
      const sh = (await planWith(m, req, 1)).shards[0];
      const ctx = { model, input, target: 3, params: req.params, seed: 7, total: sh.total, shared: sh.shared };
      const a = await m.prepare(ctx);
      const b = await m.prepare(ctx);
      const [, C, h, w] = input.shape;
      const hw = h * w;
      const kc = m.keepChannels(a);
      const fill = m.fill(a);
      const images = composeImages(input.data, fill);
      const bs = 8;
      const buffer = new Float32Array(bs * C * hw).fill(Number.NaN);
      // A shard starting off the batch grid, as the engine runs it: batches end at multiples of bs.
      for (let start = 5; start < sh.total; start = (Math.floor(start / bs) + 1) * bs) {
        const n = Math.min((Math.floor(start / bs) + 1) * bs, sh.total) - start;
        const keep = new Float32Array(n * kc * hw);
        m.generate(a, start, n, keep);
        const viaKeep = new Float32Array(n * C * hw);
        composeJs(keep, kc, images.delta, fill, C, hw, n, viaKeep);
        const direct = buffer.subarray(0, n * C * hw);
        m.compose!(b, start, n, images, direct);
        for (let i = 0; i < direct.length; i++) if (!Object.is(direct[i], viaKeep[i])) throw new Error(`${JSON.stringify(params)} sample ${start + Math.floor(i / (C * hw))} element ${i % (C * hw)}: ${direct[i]} vs ${viaKeep[i]}`);
      }
    }
  });

  it('generate() into the reused batch buffer (short first and last batches) equals generate() into fresh buffers, for every method', async () => {
    for (const c of CASES) {
      const m = c.method;
      const req = request(model, input, m, { target: 3, params: c.params, seed: 7 });
      const sh = (await planWith(m, req, 1)).shards[0];
      const ctx = { model, input, target: 3, params: req.params, seed: 7, total: sh.total, shared: sh.shared };
      const a = await m.prepare(ctx);
      const b = await m.prepare(ctx);
      const hw = input.shape[2] * input.shape[3];
      const kc = m.keepChannels(a);
      const bs = 8;
      const buffer = new Float32Array(bs * kc * hw).fill(Number.NaN);
      for (let start = 3; start < sh.total; start = (Math.floor(start / bs) + 1) * bs) {
        const n = Math.min((Math.floor(start / bs) + 1) * bs, sh.total) - start;
        const fresh = new Float32Array(n * kc * hw);
        m.generate(a, start, n, fresh);
        const reused = buffer.subarray(0, n * kc * hw);
        m.generate(b, start, n, reused);
        for (let i = 0; i < fresh.length; i++) if (!Object.is(reused[i], fresh[i])) throw new Error(`${m.name} ${JSON.stringify(c.params)} sample ${start + Math.floor(i / (kc * hw))}: ${reused[i]} vs ${fresh[i]}`);
      }
    }
  });

  it('compose() on inputs with zero regions (pixels that compose the same either way are skipped) equals generate() + composeJs', async () => {
    const fm = referenceModel('fmnist_cnn');
    const zeroed = new Float32Array(input.data);
    for (let i = 0; i < 1024; i++) if ((i % 32) < 9 || Math.floor(i / 32) > 25) zeroed[i] = zeroed[1024 + i] = zeroed[2048 + i] = 0;
    for (let i = 300; i < 340; i++) zeroed[1024 + i] = 0; // zero in one channel only: still computed
    const inputs = [
      { m: fm, x: referenceInput('fmnist_cnn', 'fmnist_test_00000') },
      { m: model, x: { data: zeroed, shape: input.shape } },
    ];
    const methods: [PerturbationMethod<any, any>, Record<string, unknown>][] = [
      [riseMethod, { masks: 40, grid: 7 }],
      [limeMethod, { samples: 40, segmentation: 'slic', segments: 30 }],
      [kernelShapMethod, { samples: 40, segmentation: 'slic', segments: 30, baseline: 'value', baselineValue: 0 }],
    ];
    for (const { m: mdl, x } of inputs) {
      for (const [method, params] of methods) {
        const req = request(mdl, x, method, { target: 1, params, seed: 2 });
        const sh = (await planWith(method, req, 1)).shards[0];
        const ctx = { model: mdl, input: x, target: 1, params: req.params, seed: 2, total: sh.total, shared: sh.shared };
        const a = await method.prepare(ctx);
        const b = await method.prepare(ctx);
        const [, C, h, w] = x.shape;
        const hw = h * w;
        const images = composeImages(x.data, method.fill(a));
        const n = 40;
        const keep = new Float32Array(n * hw);
        method.generate(a, 0, n, keep);
        const viaKeep = new Float32Array(n * C * hw);
        composeJs(keep, 1, images.delta, images.fill, C, hw, n, viaKeep);
        const direct = new Float32Array(n * C * hw).fill(Number.NaN);
        method.compose!(b, 0, n, images, direct);
        for (let i = 0; i < direct.length; i++) if (!Object.is(direct[i], viaKeep[i])) throw new Error(`${method.name} C=${C} element ${i}: ${direct[i]} vs ${viaKeep[i]}`);
      }
    }
  });

  it('coalition samples were painted both pixel by pixel and run by run', () => {
    expect([...paintModes].sort()).toEqual([false, true]);
  });

  it('RISE masks from the row table equal the computed ones', () => {
    for (const [h, w, g] of [[28, 28, 7], [32, 20, 5], [17, 30, 4]]) {
      const t = riseTables(h, w, g, 0.5);
      expect(t.rowTable).toBeDefined();
      const plain = { ...t, rowTable: undefined, rowOff: new Int32Array(g) };
      const a = new Float32Array(h * w);
      const b = new Float32Array(h * w);
      for (let i = 0; i < 50; i++) {
        riseMask(t, 9, i, a, 0, new Float64Array(g * w), new Uint8Array(g * g));
        riseMask(plain, 9, i, b, 0, new Float64Array(g * w), new Uint8Array(g * g));
        expect(Array.from(a)).toEqual(Array.from(b));
      }
    }
    expect(riseTables(224, 224, 7, 0.5).rowTable).toBeUndefined();
  });

  it('RISE maps equal the pixel-level sum of score x mask / (N p)', async () => {
    const S = 20;
    const weights = Float32Array.from({ length: S * S }, (_, i) => Math.cos(i * 0.13));
    const fm = fakeModel('linear', [1, S, S], 2, (x, n) => {
      const out = new Float32Array(n * 2);
      for (let b = 0; b < n; b++) {
        let s = 0;
        for (let i = 0; i < S * S; i++) s += weights[i] * x[b * S * S + i];
        out[b * 2] = s;
        out[b * 2 + 1] = -2 * s + 1;
      }
      return out;
    });
    const x = { data: Float32Array.from({ length: S * S }, (_, i) => 0.5 + Math.sin(i * 0.05)), shape: [1, 1, S, S] };
    const N = 300;
    const e = await explainWith(riseMethod, request(fm, x, riseMethod, { target: 0, seed: 3, batchSize: 32, params: { masks: N, grid: 6, p: 0.4, scores: 'logits', topClasses: 1 } }));
    const t = riseTables(S, S, 6, 0.4);
    const ref = [new Float64Array(S * S), new Float64Array(S * S)];
    const mask = new Float32Array(S * S);
    for (let i = 0; i < N; i++) {
      riseMask(t, 3, i, mask, 0, new Float64Array(6 * S), new Uint8Array(36));
      let s = 0;
      for (let p = 0; p < S * S; p++) s += weights[p] * Math.fround(mask[p] * x.data[p]);
      const scores = [Math.fround(s), Math.fround(-2 * Math.fround(s) + 1)];
      for (let k = 0; k < 2; k++) for (let p = 0; p < S * S; p++) ref[k][p] += (scores[k] * mask[p]) / (N * 0.4);
    }
    expect(maxAbsDiff(e.map, ref[0])).toBeLessThanOrEqual(1e-5 * maxAbs(ref[0]));
    const maps = (e.extras as { classMaps: Record<string, number[]> }).classMaps;
    expect(maxAbsDiff(maps['1'], ref[1])).toBeLessThanOrEqual(1e-5 * maxAbs(ref[1]));
  });
});
