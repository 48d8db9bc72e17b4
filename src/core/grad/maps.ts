/**
 * Turning gradient attributions into maps: channel reductions (max-abs, sum, l2), Captum-exact upsampling
 * of layer maps (bilinear align_corners=False, legacy nearest) via the shared resampler, and the input-gradient
 * Explanation every gradient method returns.
 */
import type { Explanation } from '../explainer.js';
import { bilinearWeights, nearestWeights, resample } from '../image/resample.js';
import type { ParamSpec } from '../params.js';
import type { Tensor } from '../tensor.js';

export const REDUCTIONS = ['max-abs', 'sum', 'l2'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

export function reduceParam(dflt: Reduction): ParamSpec {
  return {
    name: 'reduce',
    type: 'enum',
    values: REDUCTIONS,
    default: dflt,
    description: 'how channels become one map: max-abs (the channel value of largest magnitude, sign kept), sum, or l2 (Euclidean norm)',
  };
}

/** Reduce [1, C, H, W] over channels to H*W. */
export function reduceChannels(t: Tensor, how: Reduction): Float32Array {
  const [, c, h, w] = t.shape;
  const hw = h * w;
  const out = new Float32Array(hw);
  for (let i = 0; i < hw; i++) {
    let acc = 0;
    for (let ch = 0; ch < c; ch++) {
      const v = t.data[ch * hw + i];
      if (how === 'sum') acc += v;
      else if (how === 'l2') acc += v * v;
      else if (Math.abs(v) > Math.abs(acc)) acc = v;
    }
    out[i] = how === 'l2' ? Math.sqrt(acc) : acc;
  }
  return out;
}

/** Upsample an h x w map to H x W as F.interpolate(mode='bilinear', align_corners=False) or legacy 'nearest'. */
export function upsampleMap(map: ArrayLike<number>, h: number, w: number, H: number, W: number, mode: 'bilinear' | 'nearest'): Float32Array {
  const out = new Float32Array(H * W);
  const wx = mode === 'bilinear' ? bilinearWeights(w, W) : nearestWeights(w, W);
  const wy = mode === 'bilinear' ? bilinearWeights(h, H) : nearestWeights(h, H);
  resample(map, w, h, 1, wx, wy, out);
  return out;
}

/** The Explanation of an input-shaped attribution [1, C, H, W]. */
export function inputExplanation(attribution: Tensor, how: Reduction, signed: boolean, passes: number, extras?: Record<string, unknown>): Explanation {
  const [, , h, w] = attribution.shape;
  return { attribution, map: reduceChannels(attribution, how), width: w, height: h, signed, passes, ...(extras ? { extras } : {}) };
}
