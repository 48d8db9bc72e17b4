// Score-CAM on the real tinycnn model: the exposed activations equal PyTorch's (reference data), and the map
// equals a dense, one-channel-at-a-time re-implementation (bilinear align_corners=False, min-max masks,
// softmax weights, ReLU of the weighted sum).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainWith } from '../../src/core/perturbation/engine.js';
import { scoreCamMethod } from '../../src/explainers/score-cam.js';
import { expectAllClose, relativeL2 } from '../helpers/close.js';
import { readF32, REF, referenceInput, referenceModel, request } from './helpers.js';

function bilinear(src: Float32Array, h: number, w: number, H: number, W: number): Float64Array {
  const out = new Float64Array(H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const sy = Math.max(0, ((y + 0.5) * h) / H - 0.5);
      const sx = Math.max(0, ((x + 0.5) * w) / W - 0.5);
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const y1 = Math.min(y0 + 1, h - 1);
      const x1 = Math.min(x0 + 1, w - 1);
      const fy = sy - y0;
      const fx = sx - x0;
      out[y * W + x] = (1 - fy) * ((1 - fx) * src[y0 * w + x0] + fx * src[y0 * w + x1]) + fy * ((1 - fx) * src[y1 * w + x0] + fx * src[y1 * w + x1]);
    }
  }
  return out;
}

describe('score-cam', () => {
  it('matches a dense re-implementation on tinycnn, with activations equal to PyTorch\'s', async () => {
    const model = referenceModel('tinycnn');
    try {
      const input = referenceInput('tinycnn', 'rand32_0');
      const layer = '/conv2/Conv_output_0';
      const e = await explainWith(scoreCamMethod, request(model, input, scoreCamMethod, { target: 9, layer, batchSize: 5 }));
      // Activations of the exposed layer vs. the reference data (conv2 of tinycnn: [1, 16, 16, 16]).
      const session = await model.variant(`expose:${layer}`, () => { throw new Error('should be cached'); });
      const act = (await session.run({ input }, [layer]))[layer];
      const refAct = readF32(join(REF, 'attributions/tinycnn/rand32_0/layer_activation_last_conv.bin'));
      expect(act.shape).toEqual([1, 16, 16, 16]);
      expect(relativeL2(act.data, refAct)).toBeLessThan(1e-5);

      const base = await model.session();
      const [C, h, w] = [16, 16, 16];
      const weights: number[] = [];
      for (let k = 0; k < C; k++) {
        const up = bilinear(act.data.subarray(k * h * w, (k + 1) * h * w), h, w, 32, 32);
        const lo = Math.min(...up);
        const hi = Math.max(...up);
        const masked = new Float32Array(3 * 32 * 32);
        for (let c = 0; c < 3; c++) for (let i = 0; i < 1024; i++) masked[c * 1024 + i] = input.data[c * 1024 + i] * (hi > lo ? (up[i] - lo) / (hi - lo) : 0);
        const logits = (await base.run({ input: { data: masked, shape: [1, 3, 32, 32] } }, ['logits'])).logits.data;
        const m = Math.max(...logits);
        const z = Array.from(logits, (v) => Math.exp(v - m));
        weights.push(z[9] / z.reduce((a, b) => a + b, 0));
      }
      const cam = new Float64Array(h * w);
      for (let i = 0; i < h * w; i++) {
        let v = 0;
        for (let k = 0; k < C; k++) v += weights[k] * act.data[k * h * w + i];
        cam[i] = Math.max(0, v);
      }
      expect(e.attribution.shape).toEqual([1, 1, 16, 16]);
      expectAllClose((e.extras as { channelWeights: number[] }).channelWeights, weights, { atol: 1e-6, rtol: 1e-5 });
      expectAllClose(e.attribution.data, cam, { atol: 1e-5, rtol: 1e-4 });
      expectAllClose(e.map, bilinear(Float32Array.from(cam), 16, 16, 32, 32), { atol: 1e-5, rtol: 1e-4 });
      expect(Math.max(...e.map)).toBeGreaterThan(0);
      expect(e.passes).toBe(17);
    } finally {
      await model.dispose();
    }
  });

  it('says what is missing when there is no layer', async () => {
    const model = referenceModel('tinycnn');
    const input = referenceInput('tinycnn', 'rand32_0');
    await expect(explainWith(scoreCamMethod, request(model, input, scoreCamMethod, {}))).rejects.toThrow(/needs a layer/);
    await expect(explainWith(scoreCamMethod, request(model, input, scoreCamMethod, { layer: 'nope' }))).rejects.toThrow(/not in the model graph/);
    await model.dispose();
  });
});
