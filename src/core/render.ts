/**
 * One way to turn an explanation into a picture, used by the CLI, the API and the gallery: the heatmap over
 * the input (or alone), scaled up so small inputs (28x28) stay legible, with an optional colorbar.
 * Unsigned maps use viridis, signed maps the diverging coolwarm with white at zero.
 */
import type { Explanation } from './explainer.js';
import { InvalidInputError } from './errors.js';
import { encodePng, overlayHeatmap, renderColorbar, renderHeatmap, resizeBilinear, withColorbar, type RasterImage } from './image/index.js';

export type RenderMode = 'overlay' | 'heatmap';

export interface RenderOptions {
  render?: RenderMode;
  /** Scale up so the shorter side is at least this many pixels (integer factor). Default 224. */
  minSide?: number;
  /** Heatmap opacity over the image. Default 0.5. */
  alpha?: number;
  colorbar?: boolean;
}

/** The picture of an explanation as an RGBA raster. */
export function renderExplanation(base: RasterImage, e: Pick<Explanation, 'map' | 'width' | 'height' | 'signed'>, opts: RenderOptions = {}): RasterImage {
  const minSide = opts.minSide ?? 224;
  if (!Number.isInteger(minSide) || minSide < 1 || minSide > 2048) {
    throw new InvalidInputError(`minSide is ${minSide}; allowed: an integer from 1 to 2048`, { param: 'minSide' });
  }
  const factor = Math.max(1, Math.ceil(minSide / Math.min(base.width, base.height)));
  const scaled = factor > 1 ? resizeBilinear(base, base.width * factor, base.height * factor) : base;
  const img =
    (opts.render ?? 'overlay') === 'heatmap'
      ? renderHeatmap(e.map, e.width, e.height, { signed: e.signed })
      : overlayHeatmap(scaled, e.map, e.width, e.height, { signed: e.signed, alpha: opts.alpha });
  const out = img.width === scaled.width ? img : resizeBilinear(img, scaled.width, scaled.height);
  if (!opts.colorbar) return out;
  const bar = renderColorbar({ width: Math.max(8, Math.round(out.width / 20)), height: out.height, signed: e.signed });
  return withColorbar(out, bar);
}

/** renderExplanation encoded as PNG bytes. */
export function explanationPng(base: RasterImage, e: Pick<Explanation, 'map' | 'width' | 'height' | 'signed'>, opts: RenderOptions = {}): Uint8Array {
  return encodePng(renderExplanation(base, e, opts));
}
