/**
 * The one image type of the toolkit: 8-bit RGBA, row-major, 4 bytes per pixel, whatever the source format
 * was. `sourceChannels` remembers what the source carried (gray, gray+alpha, colour, colour+alpha) so a gray
 * model can take a gray image's value as is instead of a luma of three equal channels.
 */
import { InvalidInputError } from '../errors.js';

/** Channels the decoded source had: 1 gray, 2 gray+alpha, 3 colour, 4 colour+alpha. */
export type SourceChannels = 1 | 2 | 3 | 4;

export interface RasterImage {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes per pixel, row-major, straight (not premultiplied) alpha. Gray sources have R = G = B. */
  readonly data: Uint8ClampedArray;
  readonly sourceChannels: SourceChannels;
}

/** ITU-R BT.601 luma weights (Rec. 601-7, 2011, eq. 2.1.3): Y = 0.299 R + 0.587 G + 0.114 B. */
export const LUMA_601 = [0.299, 0.587, 0.114] as const;

/** BT.601 luma of one RGB triple, unrounded. @example luma601(255, 0, 0) // 76.245 */
export function luma601(r: number, g: number, b: number): number {
  return LUMA_601[0] * r + LUMA_601[1] * g + LUMA_601[2] * b;
}

/** True when the source had no colour (gray or gray+alpha): R = G = B holds for every pixel. */
export function isGraySource(img: RasterImage): boolean {
  return img.sourceChannels === 1 || img.sourceChannels === 2;
}

/** True when the source carried an alpha channel. */
export function hasAlpha(img: RasterImage): boolean {
  return img.sourceChannels === 2 || img.sourceChannels === 4;
}

/**
 * A new opaque black image.
 * @example createRaster(2, 1).data // [0, 0, 0, 255, 0, 0, 0, 255]
 */
export function createRaster(width: number, height: number, sourceChannels: SourceChannels = 3): RasterImage {
  checkSize(width, height, 'image');
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width, height, data, sourceChannels };
}

/**
 * An image from interleaved 8-bit samples with 1 (gray), 2 (gray, alpha), 3 (RGB) or 4 (RGBA) channels.
 * @example rasterFromChannels(1, 1, [7], 1).data // [7, 7, 7, 255]
 */
export function rasterFromChannels(
  width: number,
  height: number,
  samples: ArrayLike<number>,
  channels: SourceChannels,
): RasterImage {
  checkSize(width, height, 'image');
  const n = width * height;
  if (samples.length !== n * channels) {
    throw new InvalidInputError(
      `a ${width}x${height} image with ${channels} channel(s) needs ${n * channels} samples, got ${samples.length}`,
      { param: 'image' },
    );
  }
  const data = new Uint8ClampedArray(n * 4);
  for (let i = 0, s = 0, d = 0; i < n; i++, d += 4, s += channels) {
    if (channels <= 2) {
      data[d] = data[d + 1] = data[d + 2] = samples[s];
      data[d + 3] = channels === 2 ? samples[s + 1] : 255;
    } else {
      data[d] = samples[s];
      data[d + 1] = samples[s + 1];
      data[d + 2] = samples[s + 2];
      data[d + 3] = channels === 4 ? samples[s + 3] : 255;
    }
  }
  return { width, height, data, sourceChannels: channels };
}

/** Throw InvalidInputError unless `img` is a well-formed RasterImage (positive integer size, RGBA data of the right length). */
export function checkRaster(img: RasterImage, param = 'image'): void {
  if (img === null || typeof img !== 'object' || !(img.data instanceof Uint8ClampedArray)) {
    throw new InvalidInputError(`${param} must be a RasterImage with RGBA data in a Uint8ClampedArray`, { param });
  }
  checkSize(img.width, img.height, param);
  if (img.data.length !== img.width * img.height * 4) {
    throw new InvalidInputError(
      `${param} is ${img.width}x${img.height} so its RGBA data needs ${img.width * img.height * 4} bytes, got ${img.data.length}`,
      { param },
    );
  }
  if (![1, 2, 3, 4].includes(img.sourceChannels)) {
    throw new InvalidInputError(`${param}.sourceChannels is ${String(img.sourceChannels)}; allowed: 1, 2, 3, 4`, { param });
  }
}

/** Throw InvalidInputError unless width and height are positive integers. */
export function checkSize(width: number, height: number, param: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidInputError(`${param} size ${String(width)}x${String(height)} is not allowed; width and height must be integers >= 1`, {
      param,
    });
  }
}
