// Occlusion against Captum 0.8.0's reference attributions (../shared/reference), on the real ONNX models.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { occlusionMethod } from '../../src/explainers/occlusion.js';
import { composeSession } from '../../src/core/perturbation/compose.js';
import { explainWith } from '../../src/core/perturbation/engine.js';
import { expectAllClose, relativeL2 } from '../helpers/close.js';
import { readF32, REF, referenceInput, referenceModel, request } from './helpers.js';

interface Case { id: string; model: 'tinycnn' | 'vgglike' | 'fmnist_cnn'; input: string; target: number; attributions: { method: string; file: string; params: { sliding_window_shapes: number[]; strides: number[] } }[] }
const manifest = JSON.parse(readFileSync(join(REF, 'manifest.json'), 'utf8')) as { cases: Case[] };
const cases = manifest.cases.filter((c) => c.attributions.some((a) => a.method === 'occlusion'));

describe('occlusion matches Captum', () => {
  const picked = [...cases.filter((c) => c.model !== 'fmnist_cnn'), ...cases.filter((c) => c.model === 'fmnist_cnn').slice(0, 4)];
  for (const c of picked) {
    it(c.id, async () => {
      const ref = c.attributions.find((a) => a.method === 'occlusion')!;
      const model = referenceModel(c.model);
      try {
        const input = referenceInput(c.model, c.input);
        const e = await explainWith(
          occlusionMethod,
          request(model, input, occlusionMethod, { target: c.target, batchSize: 64, params: { window: ref.params.sliding_window_shapes.join(','), stride: ref.params.strides.join(','), baseline: 'value', baselineValue: 0, scores: 'logits' } }),
        );
        const expected = readF32(join(REF, ref.file));
        // vgglike (3 x 64 x 64) is large enough to compose in the graph, but occlusion composes incrementally in
        // JavaScript at every size (the graph composition is checked in compose.test.ts).
        expect((await composeSession(model)) !== undefined).toBe(c.model === 'vgglike');
        expect(e.attribution.shape).toEqual([1, ...input.shape.slice(1)]);
        expect(relativeL2(e.attribution.data, expected)).toBeLessThan(c.model === "vgglike" ? 5e-5 : 1e-5);
        expectAllClose(e.attribution.data, expected, { atol: 2e-5, rtol: 1e-4 });
      } finally {
        await model.dispose();
      }
    });
  }
});
