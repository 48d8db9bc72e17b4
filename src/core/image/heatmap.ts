/**
 * Attribution maps as pictures: a colour-mapped heatmap (viridis for unsigned maps, cool-warm for signed ones),
 * and the same heatmap alpha-blended over the input image.
 */
import { InvalidInputError } from '../errors.js';
import { COOLWARM, VIRIDIS, colormapIndex, normalizeSigned, normalizeUnsigned, type Colormap, type NormalizeOptions } from './colormap.js';
import { checkOutputSize } from './limits.js';
import { checkRaster, type RasterImage } from './raster.js';
import { resizeMapBilinear } from './resize.js';

export interface HeatmapOptions extends NormalizeOptions {
  /** Render as signed (cool-warm, white at 0) or unsigned (viridis). Default: signed when any value is negative. */
  readonly signed?: boolean;
}

export interface OverlayOptions extends HeatmapOptions {
  /** Weight of the heatmap in the blend, 0..1: out = (1 - alpha) * base + alpha * heatmap. Default 0.5. */
  readonly alpha?: number;
}

function checkMapSize(map: Float32Array, w: number, h: number): void {
  if (!(map instanceof Float32Array)) throw new InvalidInputError('map must be a Float32Array', { param: 'map' });
  checkOutputSize(w, h, 'map');
  if (map.length !== w * h) throw new InvalidInputError(`map has ${map.length} values but ${w}x${h} needs ${w * h}`, { param: 'map' });
}

/** Whether a map is rendered signed: `signed` if given, else whether it has a negative value. */
export function isSignedMap(map: ArrayLike<number>, signed?: boolean): boolean {
  if (signed !== undefined) return signed;
  for (let i = 0; i < map.length; i++) if (map[i] < 0) return true;
  return false;
}

/** Normalised values and the colormap for them: t in [0, 1] per value. */
function toUnitInterval(map: Float32Array, opts: HeatmapOptions): { t: Float32Array; cmap: Colormap } {
  if (isSignedMap(map, opts.signed)) {
    const t = normalizeSigned(map, opts);
    for (let i = 0; i < t.length; i++) t[i] = (t[i] + 1) / 2;
    return { t, cmap: COOLWARM };
  }
  return { t: normalizeUnsigned(map, opts), cmap: VIRIDIS };
}

function paint(t: Float32Array, w: number, h: number, cmap: Colormap): RasterImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < t.length; i++) {
    const c = colormapIndex(t[i], cmap.size) * 3;
    data[i * 4] = cmap.lut[c];
    data[i * 4 + 1] = cmap.lut[c + 1];
    data[i * 4 + 2] = cmap.lut[c + 2];
    data[i * 4 + 3] = 255;
  }
  return { width: w, height: h, data, sourceChannels: 3 };
}

/**
 * A w x h map (row-major) as an opaque heatmap of the same size: normalised (normalizeUnsigned or
 * normalizeSigned, see their percentile defaults), then looked up in VIRIDIS or COOLWARM.
 * @example encodePng(renderHeatmap(explanation.map, explanation.width, explanation.height, { signed: explanation.signed }))
 */
export function renderHeatmap(map: Float32Array, w: number, h: number, opts: HeatmapOptions = {}): RasterImage {
  checkMapSize(map, w, h);
  const { t, cmap } = toUnitInterval(map, opts);
  return paint(t, w, h, cmap);
}

/**
 * The heatmap of a mapW x mapH map over `base`: the map is normalised at its own resolution, resized to the
 * base size with resizeMapBilinear, colour-mapped, and blended with constant alpha (straight RGB blend, the base's
 * alpha is ignored; the result is opaque).
 * @example overlayHeatmap(inputImage, cam, 7, 7, { alpha: 0.4 })
 */
export function overlayHeatmap(base: RasterImage, map: Float32Array, mapW: number, mapH: number, opts: OverlayOptions = {}): RasterImage {
  checkRaster(base, 'base');
  checkMapSize(map, mapW, mapH);
  const alpha = opts.alpha ?? 0.5;
  if (!(alpha >= 0 && alpha <= 1)) throw new InvalidInputError(`alpha is ${alpha}; allowed: 0 to 1`, { param: 'alpha' });
  const { t, cmap } = toUnitInterval(map, opts);
  const heat = paint(resizeMapBilinear(t, mapW, mapH, base.width, base.height), base.width, base.height, cmap);
  const data = new Uint8ClampedArray(base.data.length);
  for (let i = 0; i < data.length; i += 4) {
    for (let c = 0; c < 3; c++) data[i + c] = (1 - alpha) * base.data[i + c] + alpha * heat.data[i + c];
    data[i + 3] = 255;
  }
  return { width: base.width, height: base.height, data, sourceChannels: 3 };
}
