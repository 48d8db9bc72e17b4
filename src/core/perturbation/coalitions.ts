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
  /** Pixel indices grouped by superpixel: superpixel a owns pixels[starts[a] .. starts[a+1]). */
  pixels: Int32Array;
  starts: Int32Array;
  /**
   * The same as row runs [runs[2r], runs[2r+1]) of consecutive pixels, superpixel a owning runs runStarts[a] ..
   * runStarts[a+1]; painted run by run (fill / set) when runs are long on average (useRuns).
   */
  runs: Int32Array;
  runStarts: Int32Array;
  useRuns: boolean;
  /** Active superpixels of one sample (scratch of accumulate). */
  active: Int32Array;
}

/** Pixel index lists of the superpixels (counting sort by label, pixels in scan order). */
function pixelLists(labels: Int32Array, m: number): { pixels: Int32Array; starts: Int32Array; runs: Int32Array; runStarts: Int32Array; useRuns: boolean } {
  const starts = new Int32Array(m + 1);
  for (let i = 0; i < labels.length; i++) starts[labels[i] + 1]++;
  for (let a = 0; a < m; a++) starts[a + 1] += starts[a];
  const at = starts.slice(0, m);
  const pixels = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) pixels[at[labels[i]]++] = i;
  const runStarts = new Int32Array(m + 1);
  const runs: number[] = [];
  for (let a = 0; a < m; a++) {
    runStarts[a] = runs.length / 2;
    for (let t = starts[a]; t < starts[a + 1]; ) {
      const first = pixels[t];
      let e = t + 1;
      while (e < starts[a + 1] && pixels[e] === pixels[e - 1] + 1) e++;
      runs.push(first, pixels[e - 1] + 1);
      t = e;
    }
  }
  runStarts[m] = runs.length / 2;
  // Runs pay off when a fill / set call replaces a dozen or more single writes.
  return { pixels, starts, runs: Int32Array.from(runs), runStarts, useRuns: runStarts[m] * 12 <= labels.length };
}

/**
 * Paint one sample: `out` (at `o`, c planes of hw) gets `on` on the pixels of the superpixels with z = 1 and
 * `off` elsewhere (one plane of `on` / `off` when they have hw values, else c planes). Starts from whichever
 * covers more pixels and writes the other superpixels from their index lists (run by run when runs are long).
 */
function paintSample(s: CoalitionState, z: Uint8Array, zo: number, on: Float32Array | number, off: Float32Array | number, out: Float32Array, o: number, c: number, hw: number): void {
  const { m, pixels, starts, runs, runStarts, useRuns } = s;
  let covered = 0;
  for (let a = 0; a < m; a++) if (z[zo + a]) covered += starts[a + 1] - starts[a];
  const base = covered * 2 >= hw ? 1 : 0;
  const fillWith = base ? on : off;
  const other = base ? off : on;
  for (let ch = 0; ch < c; ch++) {
    const q = o + ch * hw;
    const src = ch * hw;
    if (typeof fillWith === 'number') out.fill(fillWith, q, q + hw);
    else out.set(fillWith.subarray(src, src + hw), q);
    for (let a = 0; a < m; a++) {
      if (z[zo + a] === base) continue;
      if (useRuns) {
        for (let r = runStarts[a]; r < runStarts[a + 1]; r++) {
          const r0 = runs[2 * r];
          const r1 = runs[2 * r + 1];
          if (typeof other === 'number') out.fill(other, q + r0, q + r1);
          else out.set(other.subarray(src + r0, src + r1), q + r0);
        }
        continue;
      }
      const e = starts[a + 1];
      if (typeof other === 'number') for (let t = starts[a]; t < e; t++) out[q + pixels[t]] = other;
      else for (let t = starts[a]; t < e; t++) out[q + pixels[t]] = other[src + pixels[t]];
    }
  }
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
  /** Coalitions and weights of samples [start, start+count) into s.z / s.weights. */
  const draw = (s: CoalitionState, start: number, count: number): Uint8Array => {
    const m = s.m;
    if (s.z.length < count * m) {
      s.z = new Uint8Array(count * m);
      s.weights = new Float64Array(count);
    }
    const zs = s.z;
    zs.fill(0, 0, count * m);
    for (let j = 0; j < count; j++) s.weights[j] = spec.coalition(s, start + j, zs.subarray(j * m, (j + 1) * m));
    return zs;
  };
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
      const lists = pixelLists(sp.labels, sp.count);
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
        pixels: lists.pixels,
        starts: lists.starts,
        runs: lists.runs,
        runStarts: lists.runStarts,
        useRuns: lists.useRuns,
        active: new Int32Array(sp.count),
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
      const hw = s.h * s.w;
      const zs = draw(s, start, count);
      for (let j = 0; j < count; j++) paintSample(s, zs, j * s.m, 1, 0, keep, j * hw, 1, hw);
      return null;
    },
    compose(s, start, count, images, out) {
      const hw = s.h * s.w;
      const c = images.kept.length / hw;
      const zs = draw(s, start, count);
      for (let j = 0; j < count; j++) paintSample(s, zs, j * s.m, images.kept, images.hidden, out, j * c * hw, c, hw);
      return null;
    },
    accumulate(s, _memo, start, count, scores, classes, st) {
      const { m } = s;
      const active = s.active;
      const zs = s.z;
      const labels = s.labels;
      const nl = labels.length;
      const { sw, sy, syy, sz, szz, szy } = st;
      // wgt * y per reported class, once per sample (float64, as the products it replaces).
      const wy = new Float64Array(nl);
      for (let j = 0; j < count; j++) {
        const i = start + j;
        const y0 = j * classes;
        if (i < s.anchors) for (let k = 0; k < classes; k++) st.anchor[i * classes + k] = scores[y0 + k];
        const wgt = s.weights[j];
        if (wgt === 0) continue;
        const zo = j * m;
        let na = 0;
        for (let a = 0; a < m; a++) if (zs[zo + a]) active[na++] = a;
        sw[0] += wgt;
        for (let k = 0; k < nl; k++) {
          const v = scores[y0 + labels[k]];
          wy[k] = wgt * v;
          sy[k] += wy[k];
          syy[k] += wgt * v * v;
        }
        // Rank-1 update of the upper triangle of szz (active a <= b); finalize mirrors it.
        for (let u = 0; u < na; u++) {
          const a = active[u];
          sz[a] += wgt;
          const row = a * m;
          for (let v = u; v < na; v++) szz[row + active[v]] += wgt;
          const o = a * nl;
          for (let k = 0; k < nl; k++) szy[o + k] += wy[k];
        }
      }
    },
    finalize: (s, st) => {
      // accumulate() sums the upper triangle of szz only.
      const { m } = s;
      const szz = st.szz;
      for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) szz[b * m + a] = szz[a * m + b];
      return spec.finalize(s, st);
    },
  };
}

/** Paint per-superpixel values into an h x w map. */
export function paintSuperpixels(s: CoalitionState, values: ArrayLike<number>): Float32Array {
  const map = new Float32Array(s.h * s.w);
  for (let i = 0; i < map.length; i++) map[i] = values[s.sp.labels[i]];
  return map;
}
