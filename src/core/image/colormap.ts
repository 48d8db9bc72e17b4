/**
 * Colormaps for attribution maps and the normalisation that feeds them: viridis for unsigned maps
 * (perceptually uniform), a blue-white-red cool-warm map for signed maps (white exactly at zero), and
 * normalisers that take raw attributions to [0, 1] or [-1, 1] without NaN on all-zero maps.
 */
import { InvalidInputError } from '../errors.js';
import { divergingLut } from './diverging.js';
import { VIRIDIS_DATA } from './viridis-data.js';

export interface Colormap {
  readonly name: string;
  /** Number of colours. */
  readonly size: number;
  /** size * 3 bytes, RGB, from the low end to the high end. */
  readonly lut: Uint8Array;
}

/**
 * matplotlib's viridis (van der Walt & Smith, 2015) as 256 colours, bytes = round(v * 255) of matplotlib's
 * float table, so 0 is #440154 and 255 is #fde725 (matplotlib's own bytes=True output truncates instead and
 * can be 1 lower).
 */
export const VIRIDIS: Colormap = {
  name: 'viridis',
  size: 256,
  lut: Uint8Array.from(VIRIDIS_DATA, (v) => Math.round(v * 255)),
};

/**
 * Moreland's cool-warm diverging map (ISVC 2009): his end colours, blue (59, 76, 192) and red (180, 4, 38),
 * and his Msh interpolation, with the midpoint raised from M = 88 (light gray) to M = 100 so that zero is
 * pure white. 257 colours, so the middle one (index 128) is exactly the midpoint.
 */
export const COOLWARM: Colormap = {
  name: 'coolwarm',
  size: 257,
  lut: divergingLut([59 / 255, 76 / 255, 192 / 255], [180 / 255, 4 / 255, 38 / 255], 257, 100),
};

/**
 * LUT index of t in [0, 1], as matplotlib's Colormap.__call__: floor(t * size), t = 1 to the last colour,
 * values outside [0, 1] clamped. @example colormapIndex(0.5, 257) // 128
 */
export function colormapIndex(t: number, size: number): number {
  if (!(t > 0)) return 0; // also NaN
  return Math.min(size - 1, Math.floor(t * size));
}

/** The RGB colour of t in [0, 1]. @example colorAt(VIRIDIS, 1) // [253, 231, 37] */
export function colorAt(cmap: Colormap, t: number): [number, number, number] {
  const i = colormapIndex(t, cmap.size) * 3;
  return [cmap.lut[i], cmap.lut[i + 1], cmap.lut[i + 2]];
}

export interface NormalizeOptions {
  /**
   * Which value maps to full intensity: the given percentile (numpy's linear interpolation) of the values
   * (unsigned: values clamped at 0; signed: |values|). 100 is the maximum. Defaults: 99.5 for unsigned maps,
   * so a few outlier pixels (common in gradient maps) do not turn the rest dark; 100 for signed maps.
   */
  readonly percentile?: number;
}

/** Default percentile for unsigned maps (see NormalizeOptions). */
export const DEFAULT_UNSIGNED_PERCENTILE = 99.5;
/** Default percentile for signed maps: the largest |value|. */
export const DEFAULT_SIGNED_PERCENTILE = 100;

function checkFinite(map: ArrayLike<number>): void {
  for (let i = 0; i < map.length; i++) {
    if (!Number.isFinite(map[i])) {
      throw new InvalidInputError(`map value at index ${i} is ${map[i]}; attribution maps must be finite`, { param: 'map' });
    }
  }
}

/**
 * The p-th percentile of `values` with numpy's default linear interpolation (p in [0, 100]).
 * @example percentile([1, 2, 3, 4], 50) // 2.5
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new InvalidInputError(`percentile is ${p}; allowed: 0 to 100`, { param: 'percentile' });
  if (values.length === 0) throw new InvalidInputError('percentile of an empty map', { param: 'map' });
  if (p === 100) {
    let m = -Infinity;
    for (let i = 0; i < values.length; i++) m = Math.max(m, values[i]);
    return m;
  }
  const sorted = Float64Array.from(values).sort();
  const pos = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * The value that normalisation maps to 1 (unsigned) or to +-1 (signed); 0 for an all-zero map (or, unsigned,
 * a map with no positive value). If the percentile is 0 while larger values exist (a sparse map), the maximum
 * is used so the map does not vanish. Use it to label a colorbar.
 * @example normalizationScale(new Float32Array([0, 1, 4]), { signed: false, percentile: 100 }) // 4
 */
export function normalizationScale(map: ArrayLike<number>, opts: NormalizeOptions & { signed: boolean }): number {
  checkFinite(map);
  const p = opts.percentile ?? (opts.signed ? DEFAULT_SIGNED_PERCENTILE : DEFAULT_UNSIGNED_PERCENTILE);
  const mags = Float64Array.from(map, (v) => (opts.signed ? Math.abs(v) : Math.max(v, 0)));
  const scale = percentile(mags, p);
  return scale > 0 ? scale : percentile(mags, 100);
}

/**
 * An unsigned map to [0, 1]: max(v, 0) / scale, clipped at 1 (scale from normalizationScale). All zeros stay
 * zeros. @example normalizeUnsigned(new Float32Array([0, 2, 4]), { percentile: 100 }) // [0, 0.5, 1]
 */
export function normalizeUnsigned(map: ArrayLike<number>, opts: NormalizeOptions = {}): Float32Array {
  const scale = normalizationScale(map, { ...opts, signed: false });
  return Float32Array.from(map, (v) => (scale > 0 ? Math.min(Math.max(v, 0) / scale, 1) : 0));
}

/**
 * A signed map to [-1, 1], symmetric: v / scale clipped to [-1, 1], where scale is the largest |v| by default,
 * so 0 stays 0 and equal magnitudes of either sign get equal intensity. All zeros stay zeros.
 * @example normalizeSigned(new Float32Array([-2, 1, 4])) // [-0.5, 0.25, 1]
 */
export function normalizeSigned(map: ArrayLike<number>, opts: NormalizeOptions = {}): Float32Array {
  const scale = normalizationScale(map, { ...opts, signed: true });
  return Float32Array.from(map, (v) => (scale > 0 ? Math.min(Math.max(v / scale, -1), 1) : 0));
}
