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
import { canonicalJson } from './codec.js';
import { SUPERPIXEL_PARAMS, superpixels, type Superpixels } from './superpixels/index.js';
import { differingLists, paintImage, paintKeep, pixelLists, repaintKeep, type SuperpixelLists } from './superpixel-paint.js';
import type { Json, PerturbationMethod, PlanInput, ShardContext, Stats } from './types.js';

export interface CoalitionState extends SuperpixelLists {
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
  /** Active superpixels of one sample (scratch of accumulate). */
  active: Int32Array;
  /**
   * The keep buffer generate() painted last (buffer and offset) and the coalition of the mask at each of its
   * first `painted` slots: a slot's next mask rewrites only the superpixels whose bit changed.
   */
  keepWritten: { buffer: ArrayBufferLike; offset: number } | undefined;
  keepZ: Uint8Array;
  painted: number;
  /** compose()'s pixel lists: those where the keep-1 and keep-0 images it was last given differ. */
  differing: { kept: Float32Array; lists: SuperpixelLists } | undefined;
  /** accumulate() scratch: per superpixel, bit j of word j/32 set when batch sample j (weight != 0) has it. */
  members: Int32Array;
  /** accumulate() scratch: per word and byte of it, the weight sum of the samples of each byte value. */
  byteWeights: Float64Array;
}

/**
 * szz[a][b] += the weight sum of the batch's samples that have both superpixels a and b (a <= b; finalize
 * mirrors the upper triangle): from the samples' membership bits (`members`, 32 samples per word), ANDed per
 * pair and summed through tables of the weight sums of every byte value, so a pair costs a few look-ups per
 * 32 samples instead of an addition per sample that has both (a quarter of M^2 per sample: 10^4 at M = 290).
 * Sums the same weights as adding them sample by sample, in another order (rounding only, as any shard split).
 */
function addPairWeights(s: CoalitionState, count: number, nw: number, szz: Float64Array): void {
  const { m, members, weights } = s;
  if (s.byteWeights.length < nw * 1024) s.byteWeights = new Float64Array(nw * 1024);
  const t = s.byteWeights;
  for (let q = 0; q < nw * 4; q++) {
    // Table q: the 8 samples 8q .. 8q+7; entry b sums the weights of the samples whose bits are set in b.
    const o = q * 256;
    t[o] = 0;
    for (let b = 1; b < 256; b++) {
      const j = 8 * q + 31 - Math.clz32(b & -b);
      t[o + b] = t[o + (b & (b - 1))] + (j < count ? weights[j] : 0);
    }
  }
  for (let a = 0; a < m; a++) {
    const ra = a * nw;
    const row = a * m;
    for (let b = a; b < m; b++) {
      const rb = b * nw;
      let sum = 0;
      for (let k = 0; k < nw; k++) {
        const x = members[ra + k] & members[rb + k];
        if (x === 0) continue;
        const o = k * 1024;
        sum += t[o + (x & 255)] + t[o + 256 + ((x >>> 8) & 255)] + t[o + 512 + ((x >>> 16) & 255)] + t[o + 768 + (x >>> 24)];
      }
      if (sum !== 0) szz[row + b] += sum;
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
  /**
   * Fill z[zo .. zo+M) (0/1, zeroed beforehand) for sample i and return its regression weight (0: not in the
   * regression). An offset rather than a view: a subarray per sample costs as much as drawing it.
   */
  coalition(state: CoalitionState, i: number, z: Uint8Array, zo: number): number;
  finalize(state: CoalitionState, stats: Stats): Omit<Explanation, 'passes'>;
}

/** How many recent segmentations plan() keeps (a 224 x 224 one is about 130 kB of base64, plus the input). */
const SEGMENTATION_CACHE_SIZE = 8;

/** Plan-time segmentations, most recently used last: the input's bits, the settings, the encoded labels. */
const segmentations: { bits: Int32Array; settings: string; count: number; encoded: string }[] = [];

/** Segmentations computed (misses) and reused (hits) by plan() in this process, for tests and diagnostics. */
export const segmentationCacheStats = { hits: 0, misses: 0 };

/**
 * The segmentation of the input, with its labels encoded for the plan. It is a pure function of the input
 * bytes, the preprocessing and the superpixel parameters, so explaining the same image again (another method,
 * seed or sample count) reuses it instead of re-running quickshift or SLIC. A hit compares the input bit for
 * bit (no hash to trust, and nothing to await).
 */
function segment(input: Tensor, pre: Preprocessing, params: ParamValues): { count: number; encoded: string } {
  const values: Record<string, unknown> = { shape: input.shape, pre };
  for (const p of SUPERPIXEL_PARAMS) values[p.name] = params[p.name];
  const settings = canonicalJson(values);
  const bits = new Int32Array(input.data.buffer, input.data.byteOffset, input.data.length);
  const at = segmentations.findIndex((e) => e.settings === settings && e.bits.length === bits.length && e.bits.every((v, i) => v === bits[i]));
  let hit = at >= 0 ? segmentations.splice(at, 1)[0] : undefined;
  if (hit) segmentationCacheStats.hits++;
  else {
    segmentationCacheStats.misses++;
    const sp = superpixels(input, pre, params);
    hit = { bits: bits.slice(), settings, count: sp.count, encoded: encodeLabels(sp.labels) };
    if (segmentations.length >= SEGMENTATION_CACHE_SIZE) segmentations.shift();
  }
  segmentations.push(hit);
  return hit;
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
    for (let j = 0; j < count; j++) s.weights[j] = spec.coalition(s, start + j, zs, j * m);
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
      return { total, shared: { segments: sp.count, superpixels: sp.encoded, classes: row.length, labels, ...(spec.planExtra?.(p.params, sp.count) ?? {}) }, passes: 1 };
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
        ...pixelLists(sp.labels, sp.count),
        active: new Int32Array(sp.count),
        keepWritten: undefined,
        keepZ: new Uint8Array(0),
        painted: 0,
        differing: undefined,
        members: new Int32Array(0),
        byteWeights: new Float64Array(0),
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
    // Keep masks for the graph: the engine hands every batch the same buffer, whose slots still hold the
    // previous batch's masks; repainting only the superpixels that changed (about half) writes a third of what
    // painting whole masks does. Any other buffer is painted whole.
    generate(s, start, count, keep) {
      const { m } = s;
      const hw = s.h * s.w;
      const zs = draw(s, start, count);
      if (s.keepWritten?.buffer !== keep.buffer || s.keepWritten.offset !== keep.byteOffset) {
        s.keepWritten = { buffer: keep.buffer, offset: keep.byteOffset };
        s.painted = 0;
      }
      if (s.keepZ.length < count * m) {
        const grown = new Uint8Array(count * m);
        grown.set(s.keepZ);
        s.keepZ = grown;
      }
      for (let j = 0; j < count; j++) {
        if (j < s.painted) repaintKeep(s, zs, j * m, s.keepZ, keep, j * hw);
        else paintKeep(s, zs, j * m, keep, j * hw, hw);
      }
      s.keepZ.set(zs.subarray(0, count * m));
      s.painted = Math.max(s.painted, count);
      return null;
    },
    compose(s, start, count, images, out) {
      const hw = s.h * s.w;
      const c = images.kept.length / hw;
      const zs = draw(s, start, count);
      if (s.differing?.kept !== images.kept) s.differing = { kept: images.kept, lists: differingLists(s.sp.labels, s.m, images.kept, images.hidden, c) };
      const lists = s.differing.lists;
      for (let j = 0; j < count; j++) paintImage(lists, zs, j * s.m, images.kept, images.hidden, out, j * c * hw, c, hw);
      return null;
    },
    accumulate(s, _memo, start, count, scores, classes, st) {
      const { m } = s;
      const active = s.active;
      const zs = s.z;
      const labels = s.labels;
      const nl = labels.length;
      const { sw, sy, syy, sz, szy } = st;
      const nw = (count + 31) >> 5;
      if (s.members.length < m * nw) s.members = new Int32Array(m * nw);
      const members = s.members;
      members.fill(0, 0, m * nw);
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
        const word = j >> 5;
        const bit = 1 << (j & 31);
        for (let u = 0; u < na; u++) {
          const a = active[u];
          sz[a] += wgt;
          members[a * nw + word] |= bit;
          const o = a * nl;
          for (let k = 0; k < nl; k++) szy[o + k] += wy[k];
        }
      }
      addPairWeights(s, count, nw, st.szz);
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
