/**
 * Superpixels for LIME and KernelSHAP: one entry point, three algorithms (quickshift as the lime package's
 * default, SLIC, and a regular grid), their parameters as data, all deterministic functions of the image.
 */
import { InvalidInputError } from '../../errors.js';
import type { Preprocessing } from '../../models/manifest.js';
import type { ParamSpec, ParamValues } from '../../params.js';
import type { Tensor } from '../../tensor.js';
import { toLab, unnormalise } from './color.js';
import { quickshift } from './quickshift.js';
import { slic } from './slic.js';

export const SEGMENTATIONS = ['auto', 'quickshift', 'slic', 'grid'] as const;

/**
 * Below this shorter side, 'auto' uses SLIC: quickshift with lime's defaults finds only one or two segments on
 * 28x28 or 32x32 images, which makes every LIME / KernelSHAP map constant.
 */
export const AUTO_QUICKSHIFT_MIN_SIDE = 64;

/** Bound on superpixels: the surrogate solves a dense system of this size. */
export const MAX_SEGMENTS = 1024;

export const SUPERPIXEL_PARAMS: readonly ParamSpec[] = [
  { name: 'segmentation', type: 'enum', values: SEGMENTATIONS, default: 'auto', description: `superpixel algorithm: quickshift (lime default), slic, a regular grid, or auto (quickshift when the shorter side is at least ${AUTO_QUICKSHIFT_MIN_SIDE} px, else slic)` },
  { name: 'segments', type: 'integer', default: 50, min: 1, max: MAX_SEGMENTS, description: 'slic / grid: approximate number of superpixels' },
  { name: 'compactness', type: 'number', default: 10, min: 0.01, max: 1000, description: 'slic: colour vs. space trade-off (higher = more square)' },
  { name: 'kernelSize', type: 'number', default: 4, min: 0.5, max: 32, description: 'quickshift: Gaussian kernel width (lime: 4)' },
  { name: 'maxDist', type: 'number', default: 200, min: 0.1, max: 10000, description: 'quickshift: cut-off distance of links (lime: 200)' },
  { name: 'ratio', type: 'number', default: 0.2, min: 0, max: 1, description: 'quickshift: colour vs. space weight (lime: 0.2)' },
];

export interface Superpixels {
  /** Row-major h x w labels, 0..count-1. */
  labels: Int32Array;
  count: number;
}

/** A regular gy x gx grid with gy * gx close to `segments` and cells as square as the image allows. */
export function gridSuperpixels(h: number, w: number, segments: number): Superpixels {
  const gy = Math.max(1, Math.min(h, Math.round(Math.sqrt((segments * h) / w))));
  const gx = Math.max(1, Math.min(w, Math.round(segments / gy)));
  const labels = new Int32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) labels[y * w + x] = Math.floor((y * gy) / h) * gx + Math.floor((x * gx) / w);
  return { labels, count: gy * gx };
}

/**
 * Segment the (preprocessed) input into superpixels.
 * @example const sp = superpixels(input, model.manifest.preprocessing, { segmentation: 'slic', segments: 50, compactness: 10 });
 */
export function superpixels(input: Tensor, pre: Preprocessing, params: ParamValues): Superpixels {
  const [, , h, w] = input.shape;
  let sp: Superpixels;
  const kind = params.segmentation === 'auto' ? (Math.min(h, w) >= AUTO_QUICKSHIFT_MIN_SIDE ? 'quickshift' : 'slic') : params.segmentation;
  switch (kind) {
    case 'grid':
      sp = gridSuperpixels(h, w, Number(params.segments));
      break;
    case 'slic':
      sp = slic(toLab(unnormalise(input, pre)), h, w, { segments: Number(params.segments), compactness: Number(params.compactness) });
      break;
    case 'quickshift':
      sp = quickshift(toLab(unnormalise(input, pre)), h, w, { kernelSize: Number(params.kernelSize), maxDist: Number(params.maxDist), ratio: Number(params.ratio) });
      break;
    default:
      throw new InvalidInputError(`segmentation ${JSON.stringify(params.segmentation)} is not known; allowed: ${SEGMENTATIONS.join(', ')}`, { param: 'segmentation' });
  }
  if (sp.count > MAX_SEGMENTS) {
    throw new InvalidInputError(`${kind} produced ${sp.count} superpixels, more than ${MAX_SEGMENTS}; use fewer segments or a larger kernelSize`, { param: 'segments' });
  }
  return sp;
}
