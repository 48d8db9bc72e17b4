// The perturbation methods through the library's entry point (explain(), the method table, string parameters
// as the CLI passes them): occlusion still matches Captum, every method returns finite maps of the right size.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explain } from '../../src/core/explain.js';
import { EXPLAINERS } from '../../src/explainers/index.js';
import { relativeL2 } from '../helpers/close.js';
import { readF32, REF, referenceInput, referenceModel } from './helpers.js';

describe('method table', () => {
  it('lists the perturbation methods as shardable', () => {
    for (const name of ['occlusion', 'rise', 'lime', 'kernel-shap', 'score-cam'] as const) {
      expect(EXPLAINERS[name].shardable).toBe(true);
      expect(EXPLAINERS[name].paper).toMatch(/\(20\d\d\)/);
    }
  });

  it('explain() with string parameters: occlusion matches Captum, the others give finite maps', async () => {
    const model = referenceModel('tinycnn');
    try {
      const input = referenceInput('tinycnn', 'rand32_0');
      const r = await explain(model, input, { method: 'occlusion', target: 9, params: { window: '3,8,8', stride: '3,4,4', baseline: 'value', baselineValue: '0', scores: 'logits' }, batchSize: 64 });
      expect(relativeL2(r.explanation.attribution.data, readF32(join(REF, 'attributions/tinycnn/rand32_0/occlusion.bin')))).toBeLessThan(1e-5);
      for (const [method, params, layer] of [
        ['rise', { masks: '64', grid: '4' }],
        ['lime', { samples: '64', segmentation: 'slic', segments: '16' }],
        ['kernel-shap', { samples: '64', segmentation: 'grid', segments: '9' }],
        ['score-cam', {}, '/conv2/Conv_output_0'],
      ] as const) {
        const e = (await explain(model, input, { method, params, layer, seed: 3 })).explanation;
        expect(e.map.length).toBe(32 * 32);
        expect(e.map.every(Number.isFinite)).toBe(true);
        expect(e.map.some((v) => v !== 0)).toBe(true);
      }
      await expect(explain(model, input, { method: 'rise', params: { masks: '0' } })).rejects.toThrow(/masks/);
    } finally {
      await model.dispose();
    }
  });
});
