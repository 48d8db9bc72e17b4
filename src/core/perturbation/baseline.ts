/**
 * Baselines: what replaces hidden pixels. One definition for every perturbation method (occlusion windows,
 * LIME/KernelSHAP superpixels, deletion/insertion): a constant value, the image's per-channel mean, a blurred
 * copy of the image, or (superpixel methods) each superpixel's own mean colour, as the lime package's
 * hide_color=None.
 */
import { InvalidInputError } from '../errors.js';
import type { ParamSpec, ParamValues } from '../params.js';
import type { Tensor } from '../tensor.js';

export const BASELINES = ['value', 'mean', 'blur', 'superpixel-mean'] as const;
export type BaselineKind = (typeof BASELINES)[number];

/** The two parameters every method that hides pixels takes. */
export function baselineParams(defaultKind: BaselineKind, kinds: readonly BaselineKind[] = BASELINES): ParamSpec[] {
  return [
    {
      name: 'baseline',
      type: 'enum',
      values: kinds,
      default: defaultKind,
      description: 'what hidden pixels become: baselineValue, the per-channel image mean, a Gaussian blur of the image (11x11, sigma 5, as the RISE paper), or (superpixel methods) each superpixel\'s mean',
    },
    { name: 'baselineValue', type: 'number', default: 0, description: 'the value for baseline=value, in model-input (preprocessed) units' },
  ];
}

/** Separable Gaussian kernel of odd size `k`, normalised to sum 1. */
export function gaussianKernel(k: number, sigma: number): Float64Array {
  const out = new Float64Array(k);
  const r = (k - 1) / 2;
  let s = 0;
  for (let i = 0; i < k; i++) {
    out[i] = Math.exp(-((i - r) ** 2) / (2 * sigma * sigma));
    s += out[i];
  }
  for (let i = 0; i < k; i++) out[i] /= s;
  return out;
}

/**
 * Blur each channel with a k x k Gaussian, zero padding: the RISE paper's insertion baseline
 * (Petsiuk et al. 2018, "RISE: Randomized Input Sampling for Explanation of Black-box Models": klen 11, sigma 5,
 * conv2d with padding klen//2).
 * @example const blurred = blurImage(input, 11, 5);
 */
export function blurImage(input: Tensor, k = 11, sigma = 5): Float32Array {
  const [, c, h, w] = input.shape;
  const g = gaussianKernel(k, sigma);
  const r = (k - 1) / 2;
  const tmp = new Float64Array(h * w);
  const out = new Float32Array(c * h * w);
  for (let ch = 0; ch < c; ch++) {
    const src = input.data.subarray(ch * h * w, (ch + 1) * h * w);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        const lo = Math.max(0, x - r);
        const hi = Math.min(w - 1, x + r);
        for (let xx = lo; xx <= hi; xx++) s += g[xx - x + r] * src[y * w + xx];
        tmp[y * w + x] = s;
      }
    }
    for (let y = 0; y < h; y++) {
      const lo = Math.max(0, y - r);
      const hi = Math.min(h - 1, y + r);
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let yy = lo; yy <= hi; yy++) s += g[yy - y + r] * tmp[yy * w + x];
        out[ch * h * w + y * w + x] = s;
      }
    }
  }
  return out;
}

/**
 * The baseline image (C x H x W) for `kind`. 'superpixel-mean' needs the superpixel labels.
 */
export function baselineImage(input: Tensor, params: ParamValues, labels?: Int32Array, segments?: number): Float32Array {
  const kind = params.baseline as BaselineKind;
  const [, c, h, w] = input.shape;
  const hw = h * w;
  const out = new Float32Array(c * hw);
  switch (kind) {
    case 'value':
      out.fill(Number(params.baselineValue ?? 0));
      return out;
    case 'mean':
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let i = 0; i < hw; i++) s += input.data[ch * hw + i];
        out.fill(s / hw, ch * hw, (ch + 1) * hw);
      }
      return out;
    case 'blur':
      return blurImage(input);
    case 'superpixel-mean': {
      if (!labels || segments === undefined) throw new InvalidInputError('baseline "superpixel-mean" needs superpixels; allowed for lime and kernel-shap only', { param: 'baseline' });
      const sum = new Float64Array(segments * c);
      const cnt = new Float64Array(segments);
      for (let i = 0; i < hw; i++) {
        cnt[labels[i]]++;
        for (let ch = 0; ch < c; ch++) sum[labels[i] * c + ch] += input.data[ch * hw + i];
      }
      for (let i = 0; i < hw; i++) for (let ch = 0; ch < c; ch++) out[ch * hw + i] = sum[labels[i] * c + ch] / cnt[labels[i]];
      return out;
    }
    default:
      throw new InvalidInputError(`baseline ${JSON.stringify(kind)} is not known; allowed: ${BASELINES.join(', ')}`, { param: 'baseline' });
  }
}
