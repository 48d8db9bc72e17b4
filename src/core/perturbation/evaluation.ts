/**
 * Deletion and insertion metrics (Petsiuk et al. 2018, RISE paper, section 4.1) for any attribution map,
 * shardable like the explainers: sample t of `steps`+1 changes the floor(t*HW/steps) most salient pixels
 * (all channels; ties by raster order). Deletion moves them from the image to the baseline (default: 0,
 * the dataset mean after normalisation); insertion moves them from a blurred copy (11x11, sigma 5) to the
 * image. The curve is the target's probability; its area is the trapezoid rule over [0, 1], as the paper's
 * code: (sum - (first + last) / 2) / steps.
 */
import { InvalidInputError } from '../errors.js';
import type { ExplainRequest } from '../explainer.js';
import type { LoadedModel } from '../models/loaded-model.js';
import { resolveParams, type ParamSpec } from '../params.js';
import type { Tensor } from '../tensor.js';
import { baselineImage, baselineParams } from './baseline.js';
import { decodeF64, encodeF64 } from './codec.js';
import { mergeWith, planWith, runShardWith } from './engine.js';
import { runShards, type ScheduleOptions } from './executors/schedule.js';
import type { ShardExecutor } from './executors/types.js';
import { scoreKind, scoresParam } from './scores-param.js';
import type { PerturbationMethod } from './types.js';


export type EvaluationMode = 'deletion' | 'insertion';

function paramsFor(mode: EvaluationMode): readonly ParamSpec[] {
  return [
    { name: 'steps', type: 'integer', default: 100, min: 1, max: 100_000, description: 'number of steps of the curve (it has steps + 1 points)' },
    ...baselineParams(mode === 'deletion' ? 'value' : 'blur', ['value', 'mean', 'blur']),
    scoresParam('probabilities'),
  ];
}

interface State {
  mode: EvaluationMode;
  steps: number;
  order: Int32Array;
  fill: Float32Array;
  channels: number;
  hw: number;
  h: number;
  w: number;
  target: number;
  saliency: Float32Array;
}

function pixelsAt(t: number, steps: number, hw: number): number {
  return Math.floor((t * hw) / steps);
}

function makeMethod(mode: EvaluationMode): PerturbationMethod<State, null> {
  const params = paramsFor(mode);
  return {
    name: mode,
    params,
    scores: (p) => scoreKind(p.scores),
    async plan(p) {
      const [, , h, w] = p.input.shape;
      if (!p.attribution || p.attribution.length !== h * w) {
        throw new InvalidInputError(`${mode} needs an attribution map of ${h}x${w} = ${h * w} values, got ${p.attribution?.length ?? 'none'}`, { param: 'attribution' });
      }
      const steps = Number(p.params.steps);
      if (steps > h * w) throw new InvalidInputError(`steps ${steps} exceeds the ${h * w} pixels`, { param: 'steps' });
      return { total: steps + 1, shared: { saliency: encodeF64(Float64Array.from(p.attribution)) as unknown as { length: number; f64: string } }, passes: 0 };
    },
    prepare(c) {
      const [, ch, h, w] = c.input.shape;
      const hw = h * w;
      const saliency = Float32Array.from(decodeF64((c.shared as { saliency: { length: number; f64: string } }).saliency, 'saliency'));
      if (saliency.length !== hw) throw new InvalidInputError(`saliency has ${saliency.length} values, the input ${hw} pixels`, { param: 'attribution' });
      const order = Int32Array.from({ length: hw }, (_, i) => i).sort((a, b) => saliency[b] - saliency[a] || a - b);
      const base = baselineImage(c.input, c.params);
      return {
        mode,
        steps: Number(c.params.steps),
        order,
        fill: base,
        channels: ch,
        hw,
        h,
        w,
        target: c.target,
        saliency,
      };
    },
    statistics: (s) => ({ curve: s.steps + 1 }),
    // Deletion keeps the image except the first k pixels (fill: the baseline); insertion keeps only the
    // first k pixels of the image (fill: the blurred copy).
    fill: (s) => s.fill,
    keepChannels: () => 1,
    generate(s, start, count, keep) {
      const del = s.mode === 'deletion';
      keep.fill(del ? 1 : 0, 0, count * s.hw);
      for (let j = 0; j < count; j++) {
        const o = j * s.hw;
        const k = pixelsAt(start + j, s.steps, s.hw);
        for (let r = 0; r < k; r++) keep[o + s.order[r]] = del ? 0 : 1;
      }
      return null;
    },
    accumulate(s, _m, start, count, scores, classes, stats) {
      for (let j = 0; j < count; j++) stats.curve[start + j] += scores[j * classes + s.target];
    },
    finalize(s, stats) {
      const c = stats.curve;
      let sum = 0;
      for (let i = 0; i < c.length; i++) sum += c[i];
      const auc = (sum - (c[0] + c[c.length - 1]) / 2) / s.steps;
      return {
        attribution: { data: Float32Array.from(c), shape: [1, c.length] },
        map: new Float32Array(s.saliency),
        width: s.w,
        height: s.h,
        signed: false,
        extras: { mode: s.mode, auc, curve: Array.from(c), fractions: Array.from(c, (_, t) => pixelsAt(t, s.steps, s.hw) / s.hw) },
      };
    },
  };
}

export const deletionMethod = makeMethod('deletion');
export const insertionMethod = makeMethod('insertion');

export interface EvaluationResult {
  mode: EvaluationMode;
  auc: number;
  /** Target score after each step (steps + 1 values). */
  curve: number[];
  /** Fraction of pixels changed at each step. */
  fractions: number[];
}

export interface EvaluationRequest {
  model: LoadedModel;
  input: Tensor;
  target: number;
  /** The attribution map to score, h x w. */
  map: Float32Array;
  mode: EvaluationMode;
  /** Raw parameters (steps, baseline, baselineValue, scores), validated here. */
  params?: Record<string, unknown>;
  batchSize?: number;
  shards?: number;
  executors?: readonly ShardExecutor[];
}

/**
 * Deletion or insertion curve and AUC of `map`. Petsiuk, Das & Saenko (2018), "RISE: Randomized Input
 * Sampling for Explanation of Black-box Models", section 4.1.
 * @example const { auc } = await evaluateAttribution({ model, input, target, map: e.map, mode: 'deletion' });
 */
export async function evaluateAttribution(r: EvaluationRequest, schedule: ScheduleOptions = {}): Promise<EvaluationResult> {
  const method = r.mode === 'deletion' ? deletionMethod : insertionMethod;
  const req: ExplainRequest = { model: r.model, input: r.input, target: r.target, params: resolveParams(method.params, r.params ?? {}, r.mode), seed: 0, batchSize: r.batchSize ?? 16 };
  const plan = await planWith(method, req, r.shards ?? 1, r.map);
  const ctx = { model: r.model, input: r.input };
  const executors: readonly ShardExecutor[] = r.executors ?? [{ name: 'in-process', concurrency: 1, run: (shard, o) => runShardWith(method, shard, { ...ctx, onProgress: o?.onProgress, signal: o?.signal }) }];
  const partials = await runShards(plan.shards, executors, schedule);
  const e = await mergeWith(method, plan, partials, ctx);
  const x = e.extras as { auc: number; curve: number[]; fractions: number[] };
  return { mode: r.mode, auc: x.auc, curve: x.curve, fractions: x.fractions };
}
