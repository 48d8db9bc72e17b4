/**
 * A colorbar for heatmaps: the gradient as a RasterImage plus tick values and their pixel positions. There are
 * no fonts in Workers, so labels are data for the caller (HTML, SVG, a terminal) to draw next to the bar.
 */
import { InvalidInputError } from '../errors.js';
import { COOLWARM, VIRIDIS, colormapIndex } from './colormap.js';
import { checkOutputSize } from './limits.js';
import { checkRaster, hasAlpha, type RasterImage } from './raster.js';

export type ColorbarOrientation = 'vertical' | 'horizontal';

export interface ColorbarOptions {
  /** Bar size in pixels; the long axis (height if vertical, width if horizontal) must be at least 2. */
  readonly width: number;
  readonly height: number;
  /** Cool-warm (white at 0) when true, viridis when false (default). */
  readonly signed?: boolean;
  /** Default 'vertical' (maximum at the top); 'horizontal' has the minimum on the left. */
  readonly orientation?: ColorbarOrientation;
  /** Value range of the bar. Defaults: 0..1 unsigned, -1..1 signed (e.g. from normalizationScale). */
  readonly min?: number;
  readonly max?: number;
  /** About how many ticks to place (Heckbert's nice numbers decide the exact count). Default 5. */
  readonly tickCount?: number;
}

export interface ColorbarTick {
  readonly value: number;
  /** Pixel offset along the long axis from the top (vertical) or left (horizontal) edge of the bar, 0 .. length - 1. */
  readonly position: number;
}

export interface Colorbar {
  readonly image: RasterImage;
  readonly ticks: readonly ColorbarTick[];
  readonly min: number;
  readonly max: number;
  readonly signed: boolean;
  readonly orientation: ColorbarOrientation;
}

/** Heckbert's nice number: 1, 2, 5 or 10 times a power of ten near x ("Nice Numbers for Graph Labels", Graphics Gems, 1990). */
function niceNumber(x: number, round: boolean): number {
  const exp = Math.floor(Math.log10(x));
  const f = x / 10 ** exp;
  const nf = round ? (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) : f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nf * 10 ** exp;
}

/**
 * Tick values at nice round numbers inside [min, max] (Heckbert's labelling, kept within the range).
 * @example niceTicks(-1, 1, 5) // [-1, -0.5, 0, 0.5, 1]
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  const step = niceNumber(niceNumber(max - min, false) / Math.max(count - 1, 1), true);
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  const out: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k <= Math.floor(max / step + 1e-9) && out.length < 100; k++) {
    const v = Number((k * step).toFixed(Math.min(digits, 100)));
    out.push(Object.is(v, -0) ? 0 : v);
  }
  return out;
}

/**
 * Render a colorbar and its ticks. Colours follow renderHeatmap: unsigned t = (v - min) / (max - min) in
 * viridis; signed t = 0.5 + v / (2 max(|min|, |max|)) in cool-warm, so 0 is white even for an asymmetric range.
 * @example renderColorbar({ width: 12, height: 257, signed: true }).ticks // [{ value: -1, position: 256 }, ..., { value: 1, position: 0 }]
 */
export function renderColorbar(opts: ColorbarOptions): Colorbar {
  const { width, height } = opts;
  const signed = opts.signed ?? false;
  const orientation = opts.orientation ?? 'vertical';
  if (orientation !== 'vertical' && orientation !== 'horizontal') {
    throw new InvalidInputError(`orientation ${JSON.stringify(orientation)} is not known; allowed: vertical, horizontal`, { param: 'orientation' });
  }
  checkOutputSize(width, height, 'colorbar');
  const length = orientation === 'vertical' ? height : width;
  if (length < 2) throw new InvalidInputError(`colorbar is ${width}x${height}; its long axis needs at least 2 pixels`, { param: 'colorbar' });
  const min = opts.min ?? (signed ? -1 : 0);
  const max = opts.max ?? 1;
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(min < max)) {
    throw new InvalidInputError(`colorbar range ${min}..${max} is not allowed; min and max must be finite with min < max`, { param: 'min' });
  }
  const tickCount = opts.tickCount ?? 5;
  if (!Number.isInteger(tickCount) || tickCount < 2 || tickCount > 50) {
    throw new InvalidInputError(`tickCount is ${tickCount}; allowed: an integer from 2 to 50`, { param: 'tickCount' });
  }

  const cmap = signed ? COOLWARM : VIRIDIS;
  const half = Math.max(Math.abs(min), Math.abs(max));
  const valueAt = (p: number) => (orientation === 'vertical' ? max - ((max - min) * p) / (length - 1) : min + ((max - min) * p) / (length - 1));
  const tOf = (v: number) => (signed ? 0.5 + v / (2 * half) : (v - min) / (max - min));
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = colormapIndex(tOf(valueAt(orientation === 'vertical' ? y : x)), cmap.size) * 3;
      const o = (y * width + x) * 4;
      data[o] = cmap.lut[c];
      data[o + 1] = cmap.lut[c + 1];
      data[o + 2] = cmap.lut[c + 2];
      data[o + 3] = 255;
    }
  }
  const ticks = niceTicks(min, max, tickCount).map((value) => ({
    value,
    position: orientation === 'vertical' ? ((max - value) / (max - min)) * (length - 1) : ((value - min) / (max - min)) * (length - 1),
  }));
  return { image: { width, height, data, sourceChannels: 3 }, ticks, min, max, signed, orientation };
}

export interface WithColorbarOptions {
  /** Gap between image and bar in pixels. Default 8. */
  readonly margin?: number;
  /** RGBA of the uncovered area. Default opaque white. */
  readonly background?: readonly [number, number, number, number];
}

/** A composed picture and where the bar landed in it (add barX/barY to tick positions to place labels). */
export type ImageWithColorbar = RasterImage & { readonly barX: number; readonly barY: number };

function blit(dst: Uint8ClampedArray, dstW: number, src: RasterImage, x0: number, y0: number): void {
  for (let y = 0; y < src.height; y++) {
    dst.set(src.data.subarray(y * src.width * 4, (y + 1) * src.width * 4), ((y0 + y) * dstW + x0) * 4);
  }
}

/**
 * Place a vertical bar to the right of `image`, or a horizontal bar below it, `margin` pixels apart, each
 * centred on the other axis.
 * @example withColorbar(overlayHeatmap(img, map, 7, 7), renderColorbar({ width: 12, height: img.height }))
 */
export function withColorbar(image: RasterImage, bar: Colorbar, opts: WithColorbarOptions = {}): ImageWithColorbar {
  checkRaster(image);
  checkRaster(bar.image, 'bar.image');
  const margin = opts.margin ?? 8;
  if (!Number.isInteger(margin) || margin < 0 || margin > 1024) {
    throw new InvalidInputError(`margin is ${margin}; allowed: an integer from 0 to 1024`, { param: 'margin' });
  }
  const bg = opts.background ?? [255, 255, 255, 255];
  const b = bar.image;
  const vertical = bar.orientation === 'vertical';
  const W = vertical ? image.width + margin + b.width : Math.max(image.width, b.width);
  const H = vertical ? Math.max(image.height, b.height) : image.height + margin + b.height;
  checkOutputSize(W, H, 'image with colorbar');
  const data = new Uint8ClampedArray(W * H * 4);
  for (let i = 0; i < data.length; i += 4) data.set(bg, i);
  const imgX = vertical ? 0 : Math.floor((W - image.width) / 2);
  const imgY = vertical ? Math.floor((H - image.height) / 2) : 0;
  const barX = vertical ? image.width + margin : Math.floor((W - b.width) / 2);
  const barY = vertical ? Math.floor((H - b.height) / 2) : image.height + margin;
  blit(data, W, image, imgX, imgY);
  blit(data, W, b, barX, barY);
  return { width: W, height: H, data, sourceChannels: hasAlpha(image) ? 4 : 3, barX, barY };
}
