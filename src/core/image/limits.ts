/**
 * Documented maxima for images entering the toolkit, checked before any decoding or allocation so that a
 * hostile header cannot make us allocate gigabytes. Callers (HTTP routes, the CLI) may pass tighter limits.
 */
import { ImageDecodeError, InvalidInputError, LimitExceededError } from '../errors.js';

/** Largest encoded image accepted: 10 MiB. */
export const MAX_ENCODED_BYTES = 10 * 1024 * 1024;
/** Largest width or height accepted, in pixels. */
export const MAX_SIDE = 4096;
/** Largest pixel count accepted (a 4096 x 4096 image, 64 MiB as RGBA). */
export const MAX_PIXELS = 4096 * 4096;

export interface ImageLimits {
  /** Largest encoded size in bytes. */
  readonly maxEncodedBytes: number;
  /** Largest width or height in pixels. */
  readonly maxSide: number;
  /** Largest width * height. */
  readonly maxPixels: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = Object.freeze({
  maxEncodedBytes: MAX_ENCODED_BYTES,
  maxSide: MAX_SIDE,
  maxPixels: MAX_PIXELS,
});

/**
 * Fill missing fields with the defaults and check the given ones (positive integers, at most the defaults:
 * limits may be tightened, never loosened past the documented maxima).
 * @example resolveLimits({ maxSide: 1024 }) // { maxEncodedBytes: 10485760, maxSide: 1024, maxPixels: 16777216 }
 */
export function resolveLimits(limits: Partial<ImageLimits> = {}): ImageLimits {
  const out: Record<keyof ImageLimits, number> = { ...DEFAULT_IMAGE_LIMITS };
  for (const key of Object.keys(DEFAULT_IMAGE_LIMITS) as (keyof ImageLimits)[]) {
    const v = limits[key];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 1 || v > DEFAULT_IMAGE_LIMITS[key]) {
      throw new InvalidInputError(`limits.${key} is ${String(v)}; allowed: an integer from 1 to ${DEFAULT_IMAGE_LIMITS[key]}`, {
        param: `limits.${key}`,
      });
    }
    out[key] = v;
  }
  return out;
}

/** "4096 pixels per side and 16777216 pixels in all", for messages. */
export function describeLimits(limits: ImageLimits): string {
  return `${limits.maxSide} pixels per side and ${limits.maxPixels} pixels in all`;
}

/**
 * Check dimensions read from a header (`what` names the source, e.g. "PNG header"): zero is a corrupt image
 * (ImageDecodeError), over the limits is LimitExceededError. Both messages name the dimensions and the limit.
 */
export function checkDecodedSize(width: number, height: number, limits: ImageLimits, what: string): void {
  if (width < 1 || height < 1) {
    throw new ImageDecodeError(`${what} says the image is ${width}x${height} pixels; width and height must be at least 1`, {
      code: 'bad_dimensions',
    });
  }
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    throw new LimitExceededError(`${what} says the image is ${width}x${height} pixels; the limit is ${describeLimits(limits)}`, {
      param: 'image',
      code: 'image_too_large',
    });
  }
}

/**
 * Check a requested output size (resize targets, colorbars): positive integers within MAX_SIDE / MAX_PIXELS.
 * @example checkOutputSize(224, 224, 'size') // ok
 */
export function checkOutputSize(width: number, height: number, param: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidInputError(`${param} ${String(width)}x${String(height)} is not allowed; width and height must be integers >= 1`, {
      param,
    });
  }
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    throw new LimitExceededError(`${param} ${width}x${height} is too large; the limit is ${describeLimits(DEFAULT_IMAGE_LIMITS)}`, {
      param,
    });
  }
}
