/**
 * Integrated Gradients completeness with 64 Gauss-Legendre steps, SmoothGrad's batch-size invariance and
 * seeding, CAM's clear error on heads that are not GAP + linear, and CAM-family outputs' shapes and signs.
 */
import { describe, expect, it } from 'vitest';
import { getExplainer } from '../../src/explainers/index.js';
import { expectAllClose } from '../helpers/close.js';
import { camLayer, refCases, refInput, refLoadedModel } from '../grad/helpers/reference.js';
import { runtimeFor } from '../grad/helpers/runtimes.js';

describe('gradient explainers: properties', () => {
  // vgglike is left out: its random-weight path is far from smooth (Captum's own 32-step Gauss-Legendre delta is
  // 25% of f(x) - f(0) on rand64_0, where f(x) - f(0) = -0.30; we measure 18% with 64 steps).
  it('IG completeness gap < 1% with 64 Gauss-Legendre steps on tinycnn and fmnist_cnn', async () => {
    for (const model of ['tinycnn', 'fmnist_cnn']) {
      const lm = refLoadedModel(model, runtimeFor('native'));
      for (const c of refCases(model).slice(0, 3)) {
        const e = await getExplainer('integrated-gradients').explain({ model: lm, input: refInput(c), target: c.target, params: { steps: 64, integration: 'gauss-legendre', baseline: 'zeros' }, seed: 0, batchSize: 32 });
        expect(e.extras!.relativeCompletenessGap as number, c.id).toBeLessThan(0.01);
        expect(e.passes).toBe(66);
      }
      await lm.dispose();
    }
  });

  it('SmoothGrad: same result for every batch size, different for another seed', async () => {
    const c = refCases('tinycnn')[0];
    const lm = refLoadedModel('tinycnn', runtimeFor('native'));
    const run = (batchSize: number, seed: number) => getExplainer('smoothgrad').explain({ model: lm, input: refInput(c), target: c.target, params: { samples: 8, sigma: 0.1 }, seed, batchSize });
    const a = await run(1, 3);
    const b = await run(5, 3);
    const d = await run(8, 4);
    expectAllClose(a.attribution.data, b.attribution.data, { atol: 1e-7, rtol: 1e-5 });
    expect(Array.from(a.attribution.data)).not.toEqual(Array.from(d.attribution.data));
    await lm.dispose();
  });

  it('cam explains only GAP + linear heads, with an error naming what it found', async () => {
    const c = refCases('tinycnn')[0];
    const lm = refLoadedModel('tinycnn', runtimeFor('native'));
    await expect(getExplainer('cam').explain({ model: lm, input: refInput(c), target: c.target, params: {}, seed: 0, batchSize: 1 })).rejects.toThrow(/global-average-pool \+ linear head.*Flatten|MaxPool/);
    await lm.dispose();
  });

  it('grad-cam++ and unit-visualisation produce layer- / input-shaped, finite results', async () => {
    const c = refCases('fmnist_cnn')[0];
    const lm = refLoadedModel('fmnist_cnn', runtimeFor('native'));
    const base = { model: lm, input: refInput(c), target: c.target, seed: 0, batchSize: 1, layer: camLayer('fmnist_cnn') };
    const pp = await getExplainer('grad-cam++').explain({ ...base, params: {} });
    expect(pp.attribution.shape.slice(0, 2)).toEqual([1, 1]);
    expect(pp.map.length).toBe(28 * 28);
    expect(pp.map.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    const uv = await getExplainer('unit-visualisation').explain({ ...base, params: {} });
    expect(uv.attribution.shape).toEqual([1, 1, 28, 28]);
    expect(uv.attribution.data.some((v) => v !== 0)).toBe(true);
    await lm.dispose();
  });
});
