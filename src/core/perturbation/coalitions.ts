/**
 * The shared machinery of LIME and KernelSHAP: samples are coalitions z in {0,1}^M of superpixels (hidden ones
 * filled with the baseline), and the shard statistic is the weighted normal equations of a linear surrogate
 * for every reported class at once (the target and the top predicted ones, `labels`; y_k is labels[k]'s score):
 *   sw = sum w, sz = sum w z, szz = sum w z z^T, sy = sum w y, szy = sum w z y^T, syy = sum w y^2,
 * plus `anchor`, the raw scores of the first samples (the unperturbed image, and for KernelSHAP the empty
 * coalition). Every entry is a sum over samples, so shards add. A method supplies only its sampler and
 * kernel (coalition()) and its solve (finalize): Captum's KernelShap, likewise, only swaps Lime's.
 */
import { base64ToBytes, bytesToBase64 } from '../base64.js';
import { InvalidInputError } from '../errors.js';
import type { Explanation } from '../explainer.js';
import type { Preprocessing } from '../models/manifest.js';
import type { ParamValues } from '../params.js';
import { topK, type Tensor } from '../tensor.js';
import { baselineImage } from './baseline.js';
import { superpixels, type Superpixels } from './superpixels/index.js';
import type { Json, PerturbationMethod, PlanInput, ShardContext, Stats } from './types.js';

export interface CoalitionState {
  readonly sp: Superpixels;
  readonly m: number;
  readonly classes: number;
  readonly labels: number[];
  readonly target: number;
  readonly seed: number;
  readonly total: number;
  readonly params: ParamValues;
  readonly shared: Json;
  readonly fill: Float32Array;
  readonly h: number;
  readonly w: number;
  /** Leading samples whose raw scores are kept in `anchor`. */
  readonly anchors: number;
  z: Uint8Array;
  weights: Float64Array;
}

export interface CoalitionSpec {
  readonly name: string;
  readonly params: PerturbationMethod['params'];
  readonly anchors: number;
  /** Number of samples for M superpixels (may depend on params, e.g. exact enumeration). */
  total(params: ParamValues, m: number): number;
  /** Extra plan context (besides M, classes and labels). */
  planExtra?(params: ParamValues, m: number): Record<string, Json>;
  /** Fill z (length M, 0/1) for sample i and return its regression weight (0: not in the regression). */
  coalition(state: CoalitionState, i: number, z: Uint8Array): number;
  finalize(state: CoalitionState, stats: Stats): Omit<Explanation, 'passes'>;
}

function segment(input: Tensor, pre: Preprocessing, params: ParamValues): Superpixels {
  return superpixels(input, pre, params);
}

/** Labels travel in the plan as base64 of little-endian uint16 (count <= MAX_SEGMENTS < 65536). */
function encodeLabels(l: Int32Array): string {
  return bytesToBase64(new Uint8Array(Uint16Array.from(l).buffer));
}

function decodeLabels(s: string, n: number): Int32Array {
  const bytes = base64ToBytes(s, 'superpixels');
  if (bytes.length !== n * 2) throw new InvalidInputError(`superpixel labels have ${bytes.length / 2} values, the input ${n} pixels`, { param: 'shard', code: 'bad_shard' });
  return Int32Array.from(new Uint16Array(bytes.buffer, bytes.byteOffset, n));
}

/** Build a PerturbationMethod from a coalition sampler + solver. */
export function coalitionMethod(spec: CoalitionSpec): PerturbationMethod<CoalitionState, null> {
  return {
    name: spec.name,
    params: spec.params,
    scores: (p) => (p.scores === 'logits' ? 'raw' : 'probabilities'),
    async plan(p: PlanInput) {
      const sp = segment(p.input, p.model.manifest.preprocessing, p.params);
      const row = await p.forward(p.input);
      const top = Number(p.params.topLabels ?? 0);
      const labels = [p.target, ...topK(row, top + 1).filter((c) => c !== p.target).slice(0, top)];
      const total = spec.total(p.params, sp.count);
      // The segmentation runs once, here; shards get its labels, so every shard uses the same superpixels
      // whatever its platform's floating-point functions.
      return { total, shared: { segments: sp.count, superpixels: encodeLabels(sp.labels), classes: row.length, labels, ...(spec.planExtra?.(p.params, sp.count) ?? {}) }, passes: 1 };
    },
    prepare(c: ShardContext) {
      const shared = c.shared as { segments: number; superpixels: string; classes: number; labels: number[] };
      const [, , h, w] = c.input.shape;
      const sp: Superpixels = { labels: decodeLabels(String(shared.superpixels), h * w), count: shared.segments };
      for (let i = 0; i < sp.labels.length; i++) {
        if (sp.labels[i] >= sp.count) throw new InvalidInputError(`superpixel label ${sp.labels[i]} is not below the plan's ${sp.count} segments`, { param: 'shard', code: 'bad_shard' });
      }
      return {
        sp,
        m: sp.count,
        classes: shared.classes,
        labels: shared.labels,
        target: c.target,
        seed: c.seed,
        total: c.total,
        params: c.params,
        shared: c.shared,
        fill: baselineImage(c.input, c.params, sp.labels, sp.count),
        h,
        w,
        anchors: spec.anchors,
        z: new Uint8Array(0),
        weights: new Float64Array(0),
      };
    },
    // Regression sums only for the reported classes (target + topLabels, fixed by the plan); the anchors keep
    // whole score rows.
    statistics: (s) => ({
      sw: 1,
      sz: s.m,
      szz: s.m * s.m,
      sy: s.labels.length,
      szy: s.m * s.labels.length,
      syy: s.labels.length,
      anchor: s.anchors * s.classes,
    }),
    fill: (s) => s.fill,
    keepChannels: () => 1,
    generate(s, start, count, keep) {
      const { m, h, w } = s;
      const hw = h * w;
      if (s.z.length < count * m) {
        s.z = new Uint8Array(count * m);
        s.weights = new Float64Array(count);
      }
      const labels = s.sp.labels;
      const zs = s.z;
      zs.fill(0, 0, count * m);
      for (let j = 0; j < count; j++) {
        const zo = j * m;
        s.weights[j] = spec.coalition(s, start + j, zs.subarray(zo, zo + m));
        const o = j * hw;
        for (let i = 0; i < hw; i++) keep[o + i] = zs[zo + labels[i]];
      }
      return null;
    },
    accumulate(s, _memo, start, count, scores, classes, st) {
      const { m } = s;
      const active = new Int32Array(m);
      for (let j = 0; j < count; j++) {
        const i = start + j;
        const y = scores.subarray(j * classes, (j + 1) * classes);
        if (i < s.anchors) st.anchor.set(Float64Array.from(y), i * classes);
        const wgt = s.weights[j];
        if (wgt === 0) continue;
        const z = s.z.subarray(j * m, (j + 1) * m);
        let na = 0;
        for (let a = 0; a < m; a++) if (z[a]) active[na++] = a;
        st.sw[0] += wgt;
        const labels = s.labels;
        const nl = labels.length;
        for (let k = 0; k < nl; k++) {
          const v = y[labels[k]];
          st.sy[k] += wgt * v;
          st.syy[k] += wgt * v * v;
        }
        for (let u = 0; u < na; u++) {
          const a = active[u];
          st.sz[a] += wgt;
          for (let v = 0; v < na; v++) st.szz[a * m + active[v]] += wgt;
          const o = a * nl;
          for (let k = 0; k < nl; k++) st.szy[o + k] += wgt * y[labels[k]];
        }
      }
    },
    finalize: (s, st) => spec.finalize(s, st),
  };
}

/** Paint per-superpixel values into an h x w map. */
export function paintSuperpixels(s: CoalitionState, values: ArrayLike<number>): Float32Array {
  const map = new Float32Array(s.h * s.w);
  for (let i = 0; i < map.length; i++) map[i] = values[s.sp.labels[i]];
  return map;
}
