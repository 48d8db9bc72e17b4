/**
 * The one entry point for encoded images: checks size, sniffs the format from magic bytes and hands PNG or
 * JPEG to its decoder. Every failure is a typed XaiError whose message names the problem; no codec exception
 * (TypeError, RangeError, ...) escapes.
 */
import { ImageDecodeError, InvalidInputError, LimitExceededError, UnsupportedError, XaiError, describeValue } from '../errors.js';
import { decodeJpegImage } from './jpeg.js';
import { resolveLimits, type ImageLimits } from './limits.js';
import { decodePngImage } from './png.js';
import type { RasterImage } from './raster.js';
import { FORMAT_NAMES, hexPrefix, sniffFormat } from './sniff.js';

const SUPPORTED = 'supported formats: PNG, JPEG';

/**
 * Decode PNG or JPEG bytes to an 8-bit RGBA RasterImage, within `limits` (defaults: 10 MiB encoded,
 * 4096 pixels per side, 4096 * 4096 pixels). Throws ImageDecodeError (empty, unrecognised, truncated,
 * corrupt, zero-sized), LimitExceededError (over a limit), UnsupportedError (GIF, WebP, ..., or a PNG/JPEG
 * variant the codecs lack) or InvalidInputError (not bytes, bad limits).
 * @example decodeImage(new Uint8Array(await file.arrayBuffer()), { maxSide: 2048 }) // { width, height, data, sourceChannels }
 */
export function decodeImage(bytes: Uint8Array, limits: Partial<ImageLimits> = {}): RasterImage {
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidInputError(`image must be a Uint8Array of encoded bytes, got ${describeValue(bytes)}`, { param: 'image' });
  }
  const lim = resolveLimits(limits);
  if (bytes.length === 0) {
    throw new ImageDecodeError(`image is empty (0 bytes); ${SUPPORTED}`, { code: 'empty_image' });
  }
  if (bytes.length > lim.maxEncodedBytes) {
    throw new LimitExceededError(`image is ${bytes.length} bytes; the limit is ${lim.maxEncodedBytes} bytes`, {
      param: 'image',
      code: 'image_too_large',
    });
  }
  const format = sniffFormat(bytes);
  if (format === undefined) {
    throw new ImageDecodeError(`image format not recognised (first bytes: ${hexPrefix(bytes)}); ${SUPPORTED}`, {
      kind: 'unsupported',
      code: 'unsupported_media_type',
    });
  }
  try {
    if (format === 'png') return decodePngImage(bytes, lim);
    if (format === 'jpeg') return decodeJpegImage(bytes, lim);
  } catch (err) {
    if (err instanceof XaiError) throw err;
    // A codec bug or an input we did not foresee: still a typed error naming the format.
    throw new ImageDecodeError(`${FORMAT_NAMES[format]} could not be decoded: ${(err as Error)?.message ?? String(err)}`, {
      code: 'corrupt_image',
      cause: err,
    });
  }
  throw new UnsupportedError(`${FORMAT_NAMES[format]} is not supported; use PNG or JPEG`, {
    param: 'image',
    code: 'unsupported_media_type',
  });
}
