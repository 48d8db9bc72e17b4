/**
 * Occlusion (Zeiler & Fergus 2014): slide a window over the input, replace it with a baseline, and record the
 * drop of the target score. An element's attribution is the mean drop over all windows that cover it, as
 * Captum's Occlusion (windows start at i*stride, i = 0..ceil((D-w)/s), clipped at the border). One sample per
 * window; the shard statistic is the per-element sum of drops, the coverage counts are recomputed at merge.
 */
import { InvalidInputError } from '../core/errors.js';
import type { ExplainerSpec } from '../core/explainer.js';
import type { ParamSpec, ParamValues } from '../core/params.js';
import { baselineImage, baselineParams } from '../core/perturbation/baseline.js';
import { perturbationSpec } from '../core/perturbation/engine.js';
import { scoreKind, scoresParam } from '../core/perturbation/scores-param.js';
import type { PerturbationMethod } from '../core/perturbation/types.js';

const PARAMS: readonly ParamSpec[] = [
  { name: 'window', type: 'string', default: '8', description: 'window size: one number (a square over all channels), "h,w" (all channels) or "c,h,w"' },
  { name: 'stride', type: 'string', default: '4', description: 'stride: one number (spatial, one step over all channels), "h,w" or "c,h,w"' },
  ...baselineParams('value', ['value', 'mean', 'blur']),
  scoresParam('logits'),
];

/** Parse "8" / "8,8" / "3,8,8" into [c, h, w] for an input of `channels` channels. */
function parseAxes(raw: unknown, name: string, channels: number, chDefault: number): [number, number, number] {
  const parts = String(raw).split(',').map((s) => Number(s.trim()));
  const bad = parts.length < 1 || parts.length > 3 || parts.some((n) => !Number.isInteger(n) || n < 1);
  if (bad) throw new InvalidInputError(`parameter "${name}" got ${JSON.stringify(raw)}; allowed: one positive integer, "h,w" or "c,h,w"`, { param: name });
  if (parts.length === 1) return [chDefault, parts[0], parts[0]];
  if (parts.length === 2) return [chDefault, parts[0], parts[1]];
  if (parts[0] > channels) throw new InvalidInputError(`parameter "${name}" channel size ${parts[0]} exceeds the input's ${channels} channels`, { param: name });
  return [parts[0], parts[1], parts[2]];
}

interface Geometry {
  dims: [number, number, number];
  win: [number, number, number];
  stride: [number, number, number];
  counts: [number, number, number];
}

function geometry(shape: readonly number[], params: ParamValues): Geometry {
  const dims: [number, number, number] = [shape[1], shape[2], shape[3]];
  const win = parseAxes(params.window, 'window', dims[0], dims[0]);
  const stride = parseAxes(params.stride, 'stride', dims[0], win[0]);
  for (let a = 0; a < 3; a++) {
    if (win[a] > dims[a]) throw new InvalidInputError(`window [${win.join(', ')}] is larger than the input [${dims.join(', ')}]`, { param: 'window' });
  }
  const counts = [0, 1, 2].map((a) => Math.ceil((dims[a] - win[a]) / stride[a]) + 1) as [number, number, number];
  return { dims, win, stride, counts };
}

interface State {
  g: Geometry;
  input: Float32Array;
  fill: Float32Array;
  target: number;
  base: number;
  /** The batch buffer compose() wrote last (buffer and offset), and the sample it wrote at each slot (-1: none). */
  written: { buffer: ArrayBufferLike; offset: number } | undefined;
  slots: Int32Array;
}

/** Rows at least this long are copied natively (set); shorter ones in a loop, cheaper than a subarray per row. */
const NATIVE_ROW = 32;

/** Copy the rows of window `win` (all its channels) from `src` into the sample at `o` of `out`. */
function copyWindow(g: Geometry, win: ReturnType<typeof windowOf>, src: Float32Array, out: Float32Array, o: number): void {
  const [, h, w] = g.dims;
  const [c0, c1, y0, y1, x0, x1] = win;
  for (let c = c0; c < c1; c++) {
    for (let y = y0; y < y1; y++) {
      const a = c * h * w + y * w;
      if (x1 - x0 >= NATIVE_ROW) out.set(src.subarray(a + x0, a + x1), o + a + x0);
      else for (let i = a + x0; i < a + x1; i++) out[o + i] = src[i];
    }
  }
}

/** The window of sample i as [c0, c1) x [y0, y1) x [x0, x1). */
function windowOf(g: Geometry, i: number): [number, number, number, number, number, number] {
  const ix = i % g.counts[2];
  const iy = Math.floor(i / g.counts[2]) % g.counts[1];
  const ic = Math.floor(i / (g.counts[2] * g.counts[1]));
  const c0 = ic * g.stride[0];
  const y0 = iy * g.stride[1];
  const x0 = ix * g.stride[2];
  return [c0, Math.min(c0 + g.win[0], g.dims[0]), y0, Math.min(y0 + g.win[1], g.dims[1]), x0, Math.min(x0 + g.win[2], g.dims[2])];
}

export const occlusionMethod: PerturbationMethod<State, null> = {
  name: 'occlusion',
  params: PARAMS,
  scores: (p) => scoreKind(p.scores),
  async plan(p) {
    const g = geometry(p.input.shape, p.params);
    const row = await p.forward(p.input);
    return { total: g.counts[0] * g.counts[1] * g.counts[2], shared: { base: row[p.target] }, passes: 1 };
  },
  prepare(c) {
    return {
      g: geometry(c.input.shape, c.params),
      input: c.input.data,
      fill: baselineImage(c.input, c.params),
      target: c.target,
      base: (c.shared as { base: number }).base,
      written: undefined,
      slots: new Int32Array(0),
    };
  },
  statistics: (s) => ({ drop: s.input.length }),
  fill: (s) => s.fill,
  // One mask for all channels when every window spans them all (the usual case), else one per channel.
  keepChannels: (s) => (s.g.win[0] >= s.g.dims[0] ? 1 : s.g.dims[0]),
  generate(s, start, count, keep) {
    const [C, h, w] = s.g.dims;
    const kc = s.g.win[0] >= C ? 1 : C;
    const per = kc * h * w;
    keep.fill(1, 0, count * per);
    for (let j = 0; j < count; j++) {
      const [c0, c1, y0, y1, x0, x1] = windowOf(s.g, start + j);
      for (let c = kc === 1 ? 0 : c0; c < (kc === 1 ? 1 : c1); c++) {
        for (let y = y0; y < y1; y++) keep.fill(0, j * per + c * h * w + y * w + x0, j * per + c * h * w + y * w + x1);
      }
    }
    return null;
  },
  // JavaScript compose, incremental: a slot of the engine's batch buffer still holds the sample composed there
  // in the previous batch, the clean (keep 1) input but for that sample's window; restore those rows and write
  // the baseline (keep 0) rows of the new window. A buffer not seen before gets the whole clean input first.
  compose(s, start, count, images, out) {
    const [C, h, w] = s.g.dims;
    const per = C * h * w;
    const { kept, hidden } = images;
    if (s.written?.buffer !== out.buffer || s.written.offset !== out.byteOffset) {
      s.written = { buffer: out.buffer, offset: out.byteOffset };
      s.slots = new Int32Array(count).fill(-1);
    }
    if (s.slots.length < count) {
      // A shard's first batch can be short (it starts off the batch grid): the slots past it are new.
      const grown = new Int32Array(count).fill(-1);
      grown.set(s.slots);
      s.slots = grown;
    }
    for (let j = 0; j < count; j++) {
      const o = j * per;
      const prev = s.slots[j];
      if (prev < 0) out.set(kept, o);
      else copyWindow(s.g, windowOf(s.g, prev), kept, out, o);
      copyWindow(s.g, windowOf(s.g, start + j), hidden, out, o);
      s.slots[j] = start + j;
    }
    return null;
  },
  incrementalCompose: true,
  accumulate(s, _memo, start, count, scores, classes, stats) {
    const [, h, w] = s.g.dims;
    const drop = stats.drop;
    for (let j = 0; j < count; j++) {
      const d = s.base - scores[j * classes + s.target];
      const [c0, c1, y0, y1, x0, x1] = windowOf(s.g, start + j);
      for (let c = c0; c < c1; c++) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) drop[c * h * w + y * w + x] += d;
    }
  },
  finalize(s, stats) {
    const [C, h, w] = s.g.dims;
    const hw = h * w;
    const count = new Float64Array(C * hw);
    const total = s.g.counts[0] * s.g.counts[1] * s.g.counts[2];
    for (let i = 0; i < total; i++) {
      const [c0, c1, y0, y1, x0, x1] = windowOf(s.g, i);
      for (let c = c0; c < c1; c++) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) count[c * hw + y * w + x]++;
    }
    const attr = new Float32Array(C * hw);
    for (let i = 0; i < attr.length; i++) attr[i] = count[i] > 0 ? stats.drop[i] / count[i] : 0;
    const map = new Float32Array(hw);
    for (let i = 0; i < hw; i++) {
      let m = 0;
      for (let c = 0; c < C; c++) m += attr[c * hw + i];
      map[i] = m / C;
    }
    return { attribution: { data: attr, shape: [1, C, h, w] }, map, width: w, height: h, signed: true, extras: { windows: total, baseScore: s.base } };
  },
};

/**
 * Occlusion attribution. Zeiler & Fergus (2014), "Visualizing and Understanding Convolutional Networks";
 * conventions of Captum's Occlusion.
 * @example const e = await occlusion.explain({ ...req, params: { window: '3,8,8', stride: '3,4,4', baseline: 'value', baselineValue: 0, scores: 'logits' } });
 */
export const occlusion: ExplainerSpec = perturbationSpec(occlusionMethod, {
  title: 'Occlusion',
  paper: 'Zeiler, M. D. & Fergus, R. (2014). Visualizing and Understanding Convolutional Networks.',
  description: 'Slides a baseline-filled window over the input; each element gets the mean drop of the target score over the windows covering it (Captum semantics).',
});

