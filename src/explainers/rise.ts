/**
 * RISE (Petsiuk et al. 2018): saliency = sum over N random masks of score(x * mask) * mask / (N * p).
 * The masks multiply the preprocessed input (hidden pixels become 0, the dataset mean), as the paper's code.
 * The scores of every class come out of each forward pass; the map of the target and, on request, of the
 * top predicted classes are accumulated from the same masks. Shard statistic: per class, the sum of the scores
 * of the masks with each shift that keep each grid cell (a mask is linear in its grid for a fixed shift, so the
 * sum of score x mask is that statistic upsampled: rise-masks.ts riseSum), and the sum of the scores.
 */
import { LimitExceededError } from '../core/errors.js';
import type { ExplainerSpec } from '../core/explainer.js';
import type { ParamSpec } from '../core/params.js';
import { perturbationSpec } from '../core/perturbation/engine.js';
import { nonzeroRuns, riseCompose, riseFactors, riseMask, riseSum, riseTables, type NonzeroRuns, type RiseTables } from '../core/perturbation/rise-masks.js';
import { scoreKind, scoresParam } from '../core/perturbation/scores-param.js';
import type { PerturbationMethod } from '../core/perturbation/types.js';
import { topK } from '../core/tensor.js';

const PARAMS: readonly ParamSpec[] = [
  { name: 'masks', type: 'integer', default: 4000, min: 1, max: 100_000, description: 'number of random masks N' },
  { name: 'grid', type: 'integer', default: 7, min: 2, max: 64, description: 'mask grid size s (cells per side before upsampling)' },
  { name: 'p', type: 'number', default: 0.5, min: 0.01, max: 0.99, description: 'probability that a grid cell is kept' },
  scoresParam('probabilities'),
  { name: 'topClasses', type: 'integer', default: 0, min: 0, max: 1000, description: 'also map the top-k predicted classes (other than the target) from the same masks; returned in extras.classMaps' },
];

/** Bound on (classes mapped) x (pixels), so a partial stays a few tens of MB at most. */
const MAX_SAL_VALUES = 1 << 22;

interface State {
  t: RiseTables;
  seed: number;
  classes: number[];
  n: number;
  zeros: Float32Array;
  scratch: Float64Array;
  row: Float32Array;
  /** Grids (count x s x s) and shifts of the current batch: what accumulate() reads. */
  grids: Uint8Array;
  shifts: Int32Array;
  logits: boolean;
  /** The non-zero runs of the delta compose() was last given (rise-masks.ts nonzeroRuns). */
  nonzero: { delta: Float32Array; runs: NonzeroRuns } | undefined;
}

/** Values of the grid-level statistic per class: one s x s grid per shift (cellH x cellW shifts, rise-masks.ts). */
function gridValues(h: number, w: number, s: number): number {
  return Math.ceil(h / s) * Math.ceil(w / s) * s * s;
}

function batchBuffers(s: State, count: number): void {
  if (s.shifts.length < count) {
    s.grids = new Uint8Array(count * s.t.s * s.t.s);
    s.shifts = new Int32Array(count);
  }
}

export const riseMethod: PerturbationMethod<State, null> = {
  name: 'rise',
  params: PARAMS,
  scores: (p) => scoreKind(p.scores),
  async plan(p) {
    const top = Number(p.params.topClasses);
    let classes = [p.target];
    let passes = 0;
    if (top > 0) {
      const row = await p.forward(p.input);
      passes = 1;
      classes = [p.target, ...topK(row, top + 1).filter((c) => c !== p.target).slice(0, top)];
    }
    const [, , h, w] = p.input.shape;
    const hw = Math.max(h * w, gridValues(h, w, Number(p.params.grid)));
    if (classes.length * hw > MAX_SAL_VALUES) {
      throw new LimitExceededError(`rise: ${classes.length} class maps of ${hw} pixels exceed ${MAX_SAL_VALUES} values; lower topClasses`, { param: 'topClasses' });
    }
    return { total: Number(p.params.masks), shared: { classes }, passes };
  },
  prepare(c) {
    const [, , h, w] = c.input.shape;
    const s = Number(c.params.grid);
    return {
      t: riseTables(h, w, s, Number(c.params.p)),
      seed: c.seed,
      classes: (c.shared as { classes: number[] }).classes,
      n: c.total,
      zeros: new Float32Array(c.input.data.length),
      scratch: new Float64Array(s * w),
      row: new Float32Array(w),
      grids: new Uint8Array(0),
      shifts: new Int32Array(0),
      logits: c.params.scores === 'logits',
      nonzero: undefined,
    };
  },
  statistics: (s) => ({ sal: s.classes.length * gridValues(s.t.h, s.t.w, s.t.s), scoreSum: s.classes.length }),
  // Hidden pixels become 0 (the dataset mean after normalisation): input * mask, as the paper's code.
  fill: (s) => s.zeros,
  keepChannels: () => 1,
  generate(s, start, count, keep) {
    const hw = s.t.h * s.t.w;
    const s2 = s.t.s * s.t.s;
    batchBuffers(s, count);
    for (let j = 0; j < count; j++) s.shifts[j] = riseMask(s.t, s.seed, start + j, keep, j * hw, s.scratch, s.grids, j * s2);
    return null;
  },
  // In the graph (large inputs), each mask as its grid interpolated along y and along x (rise-masks.ts).
  keepRank: (s) => s.t.s,
  generateFactors(s, start, count, left, right) {
    const { h, w, s: g } = s.t;
    batchBuffers(s, count);
    for (let j = 0; j < count; j++) s.shifts[j] = riseFactors(s.t, s.seed, start + j, s.grids, j * g * g, left, j * h * g, right, j * g * w);
    return null;
  },
  compose(s, start, count, images, out) {
    const hw = s.t.h * s.t.w;
    const c = images.delta.length / hw;
    const s2 = s.t.s * s.t.s;
    batchBuffers(s, count);
    if (s.nonzero?.delta !== images.delta) s.nonzero = { delta: images.delta, runs: nonzeroRuns(images.delta, c, s.t.h, s.t.w) };
    const nz = s.nonzero.runs;
    for (let j = 0; j < count; j++) s.shifts[j] = riseCompose(s.t, s.seed, start + j, s.grids, j * s2, s.scratch, s.row, images.delta, nz, c, out, j * c * hw);
    return null;
  },
  accumulate(s, _memo, _start, count, scores, classes, stats) {
    const s2 = s.t.s * s.t.s;
    const per = gridValues(s.t.h, s.t.w, s.t.s);
    const sal = stats.sal;
    const sum = stats.scoreSum;
    const cls = s.classes;
    const grids = s.grids;
    for (let j = 0; j < count; j++) {
      const g0 = j * s2;
      for (let k = 0; k < cls.length; k++) {
        const score = scores[j * classes + cls[k]];
        sum[k] += score;
        const o = k * per + s.shifts[j] * s2;
        for (let i = 0; i < s2; i++) if (grids[g0 + i]) sal[o + i] += score;
      }
    }
  },
  finalize(s, stats) {
    const { h, w } = s.t;
    const hw = h * w;
    const norm = 1 / (s.n * s.t.p);
    const per = gridValues(s.t.h, s.t.w, s.t.s);
    const sal = new Float64Array(s.classes.length * hw);
    s.classes.forEach((_c, k) => riseSum(s.t, stats.sal, k * per, sal.subarray(k * hw, (k + 1) * hw)));
    const map = new Float32Array(hw);
    for (let i = 0; i < hw; i++) map[i] = sal[i] * norm;
    // E[score]: the level of a pixel that does not matter (the map's neutral value), per mapped class.
    const extras: Record<string, unknown> = { masks: s.n, classes: s.classes, meanScore: stats.scoreSum[0] / s.n, meanScores: Array.from(stats.scoreSum, (v) => v / s.n) };
    if (s.classes.length > 1) {
      const classMaps: Record<string, number[]> = {};
      s.classes.forEach((c, k) => {
        classMaps[String(c)] = Array.from(sal.subarray(k * hw, (k + 1) * hw), (v) => Math.fround(v * norm));
      });
      extras.classMaps = classMaps;
    }
    return { attribution: { data: map, shape: [1, 1, h, w] }, map: new Float32Array(map), width: w, height: h, signed: s.logits, extras };
  },
};

/**
 * RISE saliency. Petsiuk, Das & Saenko (2018), "RISE: Randomized Input Sampling for Explanation of
 * Black-box Models".
 * @example const e = await rise.explain({ ...req, params: { masks: 4000, grid: 7, p: 0.5, scores: 'probabilities', topClasses: 0 } });
 */
export const rise: ExplainerSpec = perturbationSpec(riseMethod, {
  title: 'RISE',
  paper: 'Petsiuk, V., Das, A. & Saenko, K. (2018). RISE: Randomized Input Sampling for Explanation of Black-box Models.',
  description: 'Averages random upsampled binary masks weighted by the target score they leave (normalised by N*p).',
});

