/**
 * LIME for images (Ribeiro, Singh & Guestrin 2016), with the lime package's defaults: superpixels by
 * quickshift, 1000 samples, each superpixel kept with probability 1/2, the first sample unperturbed, hidden
 * superpixels filled with their mean colour, kernel sqrt(exp(-d^2 / 0.25^2)) of the cosine distance d
 * between the sample's on/off vector and all-ones, and a weighted ridge regression (alpha 1, with
 * intercept, as sklearn's Ridge). Several classes share the samples: the surrogates of the target and of the
 * `topLabels` top predicted classes come out of one run (lime's top_labels).
 */
import { InvalidInputError } from '../core/errors.js';
import type { ExplainerSpec } from '../core/explainer.js';
import type { ParamSpec } from '../core/params.js';
import { baselineParams } from '../core/perturbation/baseline.js';
import { coalitionMethod, paintSuperpixels, type CoalitionState } from '../core/perturbation/coalitions.js';
import { perturbationSpec } from '../core/perturbation/engine.js';
import { cholesky, choleskySolve } from '../core/perturbation/linalg.js';
import { sampleRng } from '../core/perturbation/prng.js';
import { scoresParam } from '../core/perturbation/scores-param.js';
import { SUPERPIXEL_PARAMS } from '../core/perturbation/superpixels/index.js';
import type { Stats } from '../core/perturbation/types.js';

const PARAMS: readonly ParamSpec[] = [
  { name: 'samples', type: 'integer', default: 1000, min: 2, max: 100_000, description: 'number of perturbed samples (the first is the unperturbed image)' },
  ...SUPERPIXEL_PARAMS,
  ...baselineParams('superpixel-mean'),
  { name: 'kernelWidth', type: 'number', default: 0.25, min: 1e-6, max: 100, description: 'width of the exponential kernel on cosine distance' },
  { name: 'alpha', type: 'number', default: 1, min: 0, max: 1e6, description: 'ridge regularisation (sklearn Ridge alpha; 0 = weighted least squares)' },
  scoresParam('probabilities'),
  { name: 'topLabels', type: 'integer', default: 5, min: 0, max: 1000, description: 'also report the surrogates of the top-k predicted classes (other than the target)' },
];

export interface SurrogateFit {
  weights: Float64Array;
  intercept: number;
  /** Weighted R^2 of the surrogate on the samples (lime's `score`). */
  r2: number;
  /** Surrogate prediction at the unperturbed image (lime's `local_pred`). */
  localPred: number;
}

/**
 * Weighted ridge with intercept for every reported class (labels[k]) from the sums (sklearn Ridge with
 * sample_weight: centre by weighted means, penalise the weights only): (Zc^T W Zc + alpha I) beta_k = Zc^T W yc_k.
 * The matrix is the same for every class: it is factored once.
 */
export function fitRidges(s: CoalitionState, st: Stats, alpha: number): SurrogateFit[] {
  const { m } = s;
  const nl = s.labels.length;
  const sw = st.sw[0];
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) a[i * m + j] = st.szz[i * m + j] - (st.sz[i] * st.sz[j]) / sw;
    a[i * m + i] += alpha;
  }
  const l = cholesky(a, m);
  if (!l) throw new InvalidInputError(`lime: the weighted samples do not determine ${m} superpixel weights; use more samples or alpha > 0`, { param: 'samples' });
  return s.labels.map((_c, k) => {
    const b = new Float64Array(m);
    for (let i = 0; i < m; i++) b[i] = st.szy[i * nl + k] - (st.sz[i] * st.sy[k]) / sw;
    const beta = choleskySolve(l, b, m);
    let xb = 0;
    let sum = 0;
    for (let i = 0; i < m; i++) {
      xb += st.sz[i] * beta[i];
      sum += beta[i];
    }
    const intercept = (st.sy[k] - xb) / sw;
    // SS_res = yc'Wyc - 2 beta'b + beta'(Zc'WZc)beta, with Zc'WZc = a - alpha I.
    const sstot = st.syy[k] - (st.sy[k] * st.sy[k]) / sw;
    let quad = 0;
    let lin = 0;
    for (let i = 0; i < m; i++) {
      lin += beta[i] * b[i];
      let r = 0;
      for (let j = 0; j < m; j++) r += (a[i * m + j] - (i === j ? alpha : 0)) * beta[j];
      quad += beta[i] * r;
    }
    const ssres = sstot - 2 * lin + quad;
    return { weights: beta, intercept, r2: sstot > 0 ? 1 - ssres / sstot : 1, localPred: intercept + sum };
  });
}

export const limeMethod = coalitionMethod({
  name: 'lime',
  params: PARAMS,
  anchors: 1,
  total: (p) => Number(p.samples),
  coalition(s, i, z, zo) {
    const m = s.m;
    if (i === 0) {
      z.fill(1, zo, zo + m);
      return 1;
    }
    const on = sampleRng(s.seed, i, 0).bernoulli(0.5, m, z, zo);
    // Cosine distance to all-ones (sklearn: a zero vector has distance 1).
    const d = on === 0 ? 1 : 1 - on / Math.sqrt(on * m);
    const width = Number(s.params.kernelWidth);
    return Math.sqrt(Math.exp(-(d * d) / (width * width)));
  },
  finalize(s, st) {
    const alpha = Number(s.params.alpha);
    const fits = fitRidges(s, st, alpha);
    const fit = fits[0];
    const map = paintSuperpixels(s, fit.weights);
    const surrogates: Record<string, { weights: number[]; intercept: number; r2: number; localPred: number }> = {};
    s.labels.forEach((c, k) => {
      surrogates[String(c)] = { weights: Array.from(fits[k].weights), intercept: fits[k].intercept, r2: fits[k].r2, localPred: fits[k].localPred };
    });
    return {
      attribution: { data: map, shape: [1, 1, s.h, s.w] },
      map: new Float32Array(map),
      width: s.w,
      height: s.h,
      signed: true,
      extras: { segments: s.m, superpixels: Array.from(s.sp.labels), labels: s.labels, surrogates, prediction: Array.from(st.anchor.subarray(0, s.classes)) },
    };
  },
});

/**
 * LIME. Ribeiro, Singh & Guestrin (2016), "\"Why Should I Trust You?\": Explaining the Predictions of Any Classifier".
 * @example const e = await lime.explain({ ...req, params: resolveParams(lime.params, { samples: 1000 }) });
 */
export const lime: ExplainerSpec = perturbationSpec(limeMethod, {
  title: 'LIME',
  paper: 'Ribeiro, M. T., Singh, S. & Guestrin, C. (2016). "Why Should I Trust You?": Explaining the Predictions of Any Classifier.',
  description: 'Fits a locally weighted ridge regression of the class scores on superpixel on/off indicators; the map paints each superpixel with its weight.',
});

