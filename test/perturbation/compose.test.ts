// The two ways of composing perturbed inputs (compose.ts) agree: the graph variant of a real model fed keep
// masks gives the same scores as composing in JavaScript and running the plain model, for binary and
// fractional masks, one keep channel or one per channel.
import { describe, expect, it } from 'vitest';
import { composeDelta, composeJs, composeSession, DELTA, FILL, KEEP } from '../../src/core/perturbation/compose.js';
import { maxAbs, maxAbsDiff, referenceInput, referenceModel } from './helpers.js';

describe('compose', () => {
  it('graph and JavaScript composition give the same model outputs', async () => {
    const model = referenceModel('tinycnn');
    try {
      const x = referenceInput('tinycnn', 'astronaut_32');
      const fill = Float32Array.from({ length: 3 * 1024 }, (_, i) => Math.cos(i * 0.01) * 0.7);
      const composed = (await composeSession(model, true))!;
      const plain = await model.session();
      for (const kc of [1, 3]) {
        const n = 6;
        const keep = Float32Array.from({ length: n * kc * 1024 }, (_, i) => (i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : Math.abs(Math.sin(i))));
        const a = (await composed.run({ [KEEP]: { data: keep, shape: [n, kc, 32, 32] }, [DELTA]: { data: composeDelta(x.data, fill), shape: [1, 3, 32, 32] }, [FILL]: { data: fill, shape: [1, 3, 32, 32] } }, ['logits'])).logits.data;
        const inputs = new Float32Array(n * 3 * 1024);
        composeJs(keep, kc, composeDelta(x.data, fill), fill, 3, 1024, n, inputs);
        const b = (await plain.run({ input: { data: inputs, shape: [n, 3, 32, 32] } }, ['logits'])).logits.data;
        expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-6 * maxAbs(b));
      }
    } finally {
      await model.dispose();
    }
  });
});
