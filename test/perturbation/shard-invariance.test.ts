// Conformance suite for every shardable perturbation method (STYLE.md §8): any split into 1, 2, 3 or 7
// shards, merged in shuffled order, gives the single-shard answer; so do other batch sizes; the same seed gives
// the same result; the in-process explainWith gives exactly the single-shard answer; a missing or foreign
// partial is an error. Runs on the real tinycnn ONNX model.
import { describe, expect, it } from 'vitest';
import { explainWith, planWith, runShardWith, mergeWith } from '../../src/core/perturbation/engine.js';
import { mergePartials, planShards, runShard } from '../../src/core/perturbation/shards.js';
import type { PerturbationMethod } from '../../src/core/perturbation/types.js';
import { occlusionMethod } from '../../src/explainers/occlusion.js';
import { riseMethod } from '../../src/explainers/rise.js';
import { limeMethod } from '../../src/explainers/lime.js';
import { kernelShapMethod } from '../../src/explainers/kernel-shap.js';
import { scoreCamMethod } from '../../src/explainers/score-cam.js';
import { deletionMethod, insertionMethod } from '../../src/core/perturbation/evaluation.js';
import { maxAbs, maxAbsDiff, referenceInput, referenceModel, request, shuffled } from './helpers.js';

const CASES: { method: PerturbationMethod<any, any>; params: Record<string, unknown>; map?: boolean; layer?: string }[] = [
  { method: occlusionMethod, params: { window: '6', stride: '3' } },
  { method: riseMethod, params: { masks: 97, grid: 5, topClasses: 2 } },
  { method: limeMethod, params: { samples: 101, segmentation: 'slic', segments: 12 } },
  { method: kernelShapMethod, params: { samples: 101, segmentation: 'slic', segments: 12 } },
  { method: kernelShapMethod, params: { samples: 300, segmentation: 'grid', segments: 6 } },
  { method: limeMethod, params: { samples: 64, topLabels: 3 } },
  { method: scoreCamMethod, params: {}, layer: '/conv2/Conv_output_0' },
  { method: deletionMethod, params: { steps: 40 }, map: true },
  { method: insertionMethod, params: { steps: 40 }, map: true },
];

describe('shard invariance', () => {
  const model = referenceModel('tinycnn');
  const input = referenceInput('tinycnn', 'astronaut_32');
  const map = Float32Array.from({ length: 32 * 32 }, (_, i) => Math.sin(i * 0.37) + (i % 32) / 32);

  for (const c of CASES) {
    it(`${c.method.name} ${JSON.stringify(c.params)}`, async () => {
      const req = request(model, input, c.method, { target: 3, params: c.params, seed: 11, batchSize: 8, layer: c.layer });
      const attribution = c.map ? map : undefined;
      const one = await planWith(c.method, req, 1, attribution);
      const ref = await mergeWith(c.method, one, [await runShardWith(c.method, one.shards[0], { model, input })], { model, input });
      expect(maxAbs(ref.attribution.data)).toBeGreaterThan(0);
      expect(ref.attribution.data.every(Number.isFinite)).toBe(true);
      // In process, explainWith skips the wire round trip (digest check, encoding, a second prepare): the same
      // explanation, bit for bit.
      if (!attribution) expect(await explainWith(c.method, req)).toEqual(ref);
      for (const k of [2, 3, 7]) {
        // Through the public, JSON-level API: specs and partials cross a JSON round trip.
        const plan = await planShards(c.method.name, req, k, attribution);
        expect(plan.planId).toBe(one.planId);
        const partials = [];
        for (const s of plan.shards) partials.push(JSON.parse(JSON.stringify(await runShard(JSON.parse(JSON.stringify(s)), { model, input }))));
        expect(partials[0].backend).toContain('compose js'); // 3 x 32 x 32 is below the graph-compose size
        const e = await mergePartials(plan, shuffled(partials, k), { model, input });
        const tol = 1e-6 * Math.max(1e-30, maxAbs(ref.attribution.data));
        expect(maxAbsDiff(e.attribution.data, ref.attribution.data)).toBeLessThanOrEqual(tol);
        expect(e.passes).toBe(ref.passes);
        if (k === 3) {
          await expect(mergePartials(plan, partials.slice(1), { model, input })).rejects.toThrow(/missing/);
          await expect(mergePartials(plan, [...partials, partials[0]], { model, input })).rejects.toThrow(/overlap/);
          // The plan id does not depend on the split: a 1-shard plan merges the 3-shard partials. A plan with
          // another seed does not.
          const foreign = await planShards(c.method.name, { ...req, seed: 12 }, 3, attribution);
          if (foreign.planId !== plan.planId) await expect(mergePartials(foreign, partials, { model, input })).rejects.toThrow(/belongs to plan/);
        }
      }
      // Batch size does not change the answer; the same seed gives the same answer.
      const other = await planWith(c.method, { ...req, batchSize: 5 }, 1, attribution);
      const e5 = await mergeWith(c.method, other, [await runShardWith(c.method, other.shards[0], { model, input })], { model, input });
      expect(maxAbsDiff(e5.attribution.data, ref.attribution.data)).toBeLessThanOrEqual(1e-6 * maxAbs(ref.attribution.data));
    });
  }

  it('a shard refuses a different input', async () => {
    const req = request(model, input, riseMethod, { params: { masks: 10 } });
    const plan = await planShards('rise', req, 2);
    const other = referenceInput('tinycnn', 'rand32_0');
    await expect(runShard(plan.shards[0], { model, input: other })).rejects.toThrow(/digest/);
  });

  it('different seeds give different RISE maps', async () => {
    const a = await mergeWith(riseMethod, ...(await (async () => {
      const p = await planWith(riseMethod, request(model, input, riseMethod, { params: { masks: 50 }, seed: 1 }), 1);
      return [p, [await runShardWith(riseMethod, p.shards[0], { model, input })], { model, input }] as const;
    })()));
    const p2 = await planWith(riseMethod, request(model, input, riseMethod, { params: { masks: 50 }, seed: 2 }), 1);
    const b = await mergeWith(riseMethod, p2, [await runShardWith(riseMethod, p2.shards[0], { model, input })], { model, input });
    expect(maxAbsDiff(a.map, b.map)).toBeGreaterThan(1e-4);
  });
});
