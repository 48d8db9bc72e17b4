/**
 * KernelSHAP (Lundberg & Lee 2017) on LIME's superpixels and baselines: the same coalition engine with the
 * Shapley kernel and the efficiency constraint (sum of values = f(all) - f(none)). Sample 0 is the full
 * coalition and sample 1 the empty one (kept as anchors, not regressed). When 2^M - 2 coalitions fit in the
 * sample budget they are all enumerated with their exact kernel weights, which gives exact Shapley values;
 * otherwise coalition sizes are drawn from the kernel's size distribution, members uniformly, in
 * complementary pairs, all with weight 1 (as Captum's KernelShap and the shap package's sampling phase).
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
  { name: 'samples', type: 'integer', default: 2048, min: 4, max: 100_000, description: 'sample budget, the full and empty coalitions included; when 2^M fits, all coalitions are enumerated (exact values)' },
  ...SUPERPIXEL_PARAMS,
  ...baselineParams('superpixel-mean'),
  scoresParam('probabilities'),
  { name: 'topLabels', type: 'integer', default: 0, min: 0, max: 1000, description: 'also report the values of the top-k predicted classes (other than the target)' },
];

/** Enumerate all coalitions when 2^M <= samples (and M <= 24). */
function exact(samples: number, m: number): boolean {
  return m <= 24 && 2 ** m <= samples;
}

function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Shapley kernel weight of a coalition of size k out of m: (m-1) / (C(m,k) k (m-k)). */
export function shapleyKernel(m: number, k: number): number {
  return (m - 1) / (binom(m, k) * k * (m - k));
}

/** Cumulative distribution of coalition sizes 1..m-1, proportional to (m-1)/(k(m-k)). */
function sizeCdf(m: number): Float64Array {
  const cdf = new Float64Array(m - 1);
  let s = 0;
  for (let k = 1; k < m; k++) {
    s += 1 / (k * (m - k));
    cdf[k - 1] = s;
  }
  for (let i = 0; i < cdf.length; i++) cdf[i] /= s;
  return cdf;
}

const cdfCache = new Map<number, Float64Array>();
/** Scratch permutation of coalition() (synchronous, so one buffer serves every call). */
let permScratch = new Int32Array(0);

/**
 * Shapley values of every reported class (labels[k]) from the sums: constrained weighted least squares with
 * phi_0 = f(none) and sum(phi) = f(all) - f(none), eliminating the last feature (phi_M = delta - sum of the
 * others). The eliminated system's matrix does not depend on the class: it is factored once.
 */
export function solveShapley(s: CoalitionState, st: Stats): { values: Float64Array; base: number; full: number }[] {
  const { m, classes } = s;
  const nl = s.labels.length;
  const ends = s.labels.map((cls) => ({ full: st.anchor[cls], none: st.anchor[classes + cls] }));
  if (m === 1) return ends.map(({ full, none }) => ({ values: Float64Array.of(full - none), base: none, full }));
  const n = m - 1;
  const L = m - 1;
  const a = new Float64Array(n * n);
  const zz = (i: number, j: number) => st.szz[i * m + j];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = zz(i, j) - zz(i, L) - zz(L, j) + zz(L, L);
  const l = cholesky(a, n);
  if (!l) throw new InvalidInputError(`kernel-shap: ${s.total} samples do not determine ${m} superpixel values; use more samples or fewer segments`, { param: 'samples' });
  return ends.map(({ full, none }, k) => {
    const delta = full - none;
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const zy = st.szy[i * nl + k] - st.szy[L * nl + k];
      const z1 = st.sz[i] - st.sz[L];
      const zl = zz(i, L) - zz(L, L);
      b[i] = zy - none * z1 - delta * zl;
    }
    const phi = choleskySolve(l, b, n);
    const values = new Float64Array(m);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      values[i] = phi[i];
      sum += phi[i];
    }
    values[L] = delta - sum;
    return { values, base: none, full };
  });
}

export const kernelShapMethod = coalitionMethod({
  name: 'kernel-shap',
  params: PARAMS,
  anchors: 2,
  total: (p, m) => (exact(Number(p.samples), m) ? 2 ** m : Number(p.samples)),
  planExtra: (p, m) => {
    if (!exact(Number(p.samples), m) && Number(p.samples) < m + 2) {
      throw new InvalidInputError(`kernel-shap: ${p.samples} samples cannot determine ${m} superpixel values; allowed: at least ${m + 2}`, { param: 'samples' });
    }
    return { exact: exact(Number(p.samples), m) };
  },
  coalition(s, i, z, zo) {
    const m = s.m;
    if (i === 0) {
      z.fill(1, zo, zo + m);
      return 0;
    }
    if (i === 1) return 0;
    if ((s.shared as { exact: boolean }).exact) {
      // Coalitions 1 .. 2^m - 2 as bit patterns (feature j = bit j).
      const code = i - 1;
      let k = 0;
      for (let j = 0; j < m; j++) {
        z[zo + j] = Math.floor(code / 2 ** j) % 2;
        k += z[zo + j];
      }
      return shapleyKernel(m, k);
    }
    const pair = Math.floor((i - 2) / 2);
    const rng = sampleRng(s.seed, pair, 0);
    let cdf = cdfCache.get(m);
    if (!cdf) {
      cdf = sizeCdf(m);
      if (cdfCache.size > 64) cdfCache.clear();
      cdfCache.set(m, cdf);
    }
    const u = rng.uniform(0);
    let k = 1;
    while (k < m - 1 && cdf[k - 1] <= u) k++;
    // Partial Fisher-Yates: the first k of a seeded permutation.
    if (permScratch.length < m) permScratch = new Int32Array(m);
    const perm = permScratch;
    for (let j = 0; j < m; j++) perm[j] = j;
    for (let t = 0; t < k; t++) {
      const r = t + rng.int(1 + t, m - t);
      const tmp = perm[t];
      perm[t] = perm[r];
      perm[r] = tmp;
      z[zo + perm[t]] = 1;
    }
    if ((i - 2) % 2 === 1) for (let j = zo; j < zo + m; j++) z[j] = 1 - z[j];
    return 1;
  },
  finalize(s, st) {
    const sols = solveShapley(s, st);
    const map = paintSuperpixels(s, sols[0].values);
    const values: Record<string, { values: number[]; base: number; full: number }> = {};
    s.labels.forEach((c, k) => {
      values[String(c)] = { values: Array.from(sols[k].values), base: sols[k].base, full: sols[k].full };
    });
    return {
      attribution: { data: map, shape: [1, 1, s.h, s.w] },
      map: new Float32Array(map),
      width: s.w,
      height: s.h,
      signed: true,
      extras: { segments: s.m, superpixels: Array.from(s.sp.labels), labels: s.labels, exact: (s.shared as { exact: boolean }).exact, shapley: values },
    };
  },
});

/**
 * KernelSHAP. Lundberg & Lee (2017), "A Unified Approach to Interpreting Model Predictions".
 * @example const e = await kernelShap.explain({ ...req, params: resolveParams(kernelShap.params, { samples: 2048 }) });
 */
export const kernelShap: ExplainerSpec = perturbationSpec(kernelShapMethod, {
  title: 'KernelSHAP',
  paper: 'Lundberg, S. M. & Lee, S.-I. (2017). A Unified Approach to Interpreting Model Predictions.',
  description: 'Shapley values of superpixels by the Shapley-kernel weighted regression with the efficiency constraint; exact when all coalitions fit the sample budget.',
});

