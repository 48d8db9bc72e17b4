// Deletion / insertion (RISE paper, section 4.1) on the real fmnist model: every curve point equals a
// direct forward pass of the image built by hand; the AUC is the paper's trapezoid; sharded = unsharded.
import { describe, expect, it } from 'vitest';
import { evaluateAttribution } from '../../src/core/perturbation/evaluation.js';
import { blurImage } from '../../src/core/perturbation/baseline.js';
import { inProcessExecutor } from '../../src/core/perturbation/shards.js';
import { softmax } from '../../src/core/tensor.js';
import { expectAllClose } from '../helpers/close.js';
import { referenceInput, referenceModel } from './helpers.js';

describe('deletion and insertion', () => {
  const model = referenceModel('fmnist_cnn');
  const input = referenceInput('fmnist_cnn', 'fmnist_test_00000');
  const map = Float32Array.from({ length: 784 }, (_, i) => input.data[i] + ((i * 37) % 11) / 100);
  const order = Array.from({ length: 784 }, (_, i) => i).sort((a, b) => map[b] - map[a] || a - b);

  async function prob(img: Float32Array): Promise<number> {
    const s = await model.session();
    return softmax((await s.run({ input: { data: img, shape: [1, 1, 28, 28] } }, ['logits'])).logits.data)[9];
  }

  for (const mode of ['deletion', 'insertion'] as const) {
    it(`${mode}: curve points are the target probability of the hand-built images`, async () => {
      const steps = 28;
      const r = await evaluateAttribution({ model, input, target: 9, map, mode, params: { steps }, batchSize: 7 });
      expect(r.curve.length).toBe(steps + 1);
      const from = mode === 'deletion' ? input.data : blurImage(input);
      const to = mode === 'deletion' ? new Float32Array(784) : input.data;
      const expected: number[] = [];
      for (let t = 0; t <= steps; t++) {
        const img = Float32Array.from(from);
        const k = Math.floor((t * 784) / steps);
        for (let r2 = 0; r2 < k; r2++) img[order[r2]] = to[order[r2]];
        expected.push(await prob(img));
      }
      expectAllClose(r.curve, expected, { atol: 1e-6, rtol: 1e-5 });
      const auc = (expected.reduce((a, b) => a + b, 0) - (expected[0] + expected[steps]) / 2) / steps;
      expect(r.auc).toBeCloseTo(auc, 6);
      expect(r.fractions[0]).toBe(0);
      expect(r.fractions[steps]).toBe(1);
      const sharded = await evaluateAttribution({ model, input, target: 9, map, mode, params: { steps }, batchSize: 4, shards: 5, executors: [inProcessExecutor({ model, input })] });
      expectAllClose(sharded.curve, r.curve, { atol: 1e-7, rtol: 1e-6 });
    });
  }

  it('a good map deletes faster than its reverse', async () => {
    const rev = Float32Array.from(map, (v) => -v);
    const good = await evaluateAttribution({ model, input, target: 9, map, mode: 'deletion', params: { steps: 20 } });
    const bad = await evaluateAttribution({ model, input, target: 9, map: rev, mode: 'deletion', params: { steps: 20 } });
    expect(good.auc).toBeLessThan(bad.auc);
  });
});
