/**
 * JPEG decoding to a RasterImage with jpeg-js. The frame header (SOF) is found by walking the marker segments
 * (ITU-T T.81, 1992, annex B) and checked against the limits before jpeg-js allocates anything; jpeg-js then runs
 * with its own resolution and memory caps derived from the same limits, and its result is checked again.
 */
import jpeg from 'jpeg-js';
import { ImageDecodeError, UnsupportedError, XaiError } from '../errors.js';
import type { ImageLimits } from './limits.js';
import { checkDecodedSize } from './limits.js';
import type { RasterImage } from './raster.js';

export interface JpegHeader {
  readonly width: number;
  readonly height: number;
  /** 1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK. */
  readonly components: number;
  /** 0xC0 baseline, 0xC1 extended sequential, 0xC2 progressive. */
  readonly sofMarker: number;
}

/** Coding processes of the SOF markers jpeg-js cannot decode (T.81 table B.1). */
const UNSUPPORTED_SOF: Readonly<Record<number, string>> = {
  0xc3: 'lossless',
  0xc5: 'hierarchical (differential sequential)',
  0xc6: 'hierarchical (differential progressive)',
  0xc7: 'hierarchical (differential lossless)',
  0xc9: 'arithmetic-coded sequential',
  0xca: 'arithmetic-coded progressive',
  0xcb: 'arithmetic-coded lossless',
  0xcd: 'arithmetic-coded hierarchical',
  0xce: 'arithmetic-coded hierarchical progressive',
  0xcf: 'arithmetic-coded hierarchical lossless',
};

/** Bytes jpeg-js allocates per pixel at most: per component 4 (coefficients) + 1 (samples) + 1 (output), plus RGBA. */
const JPEG_BYTES_PER_PIXEL = 24;

function corrupt(message: string): ImageDecodeError {
  return new ImageDecodeError(`JPEG is corrupt: ${message}`, { code: 'corrupt_image' });
}

function truncated(message: string): ImageDecodeError {
  return new ImageDecodeError(`JPEG is truncated: ${message}`, { code: 'truncated_image' });
}

function hex(marker: number): string {
  return `FF${marker.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * Walk the marker segments from SOI to the first frame header and return what it says. Fails on truncated
 * segments, image data before a frame header, and coding processes jpeg-js does not implement.
 * @example readJpegHeader(bytes) // { width: 640, height: 480, components: 3, sofMarker: 0xc0 }
 */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw corrupt('it does not start with the SOI marker FFD8');
  let offset = 2;
  for (;;) {
    if (offset >= bytes.length) throw truncated(`it ends at byte ${bytes.length} before a frame header (SOF)`);
    if (bytes[offset] !== 0xff) {
      throw corrupt(`expected a marker at byte ${offset}, found 0x${bytes[offset].toString(16).padStart(2, '0')}`);
    }
    while (offset < bytes.length && bytes[offset] === 0xff) offset++; // fill bytes (T.81 B.1.1.2)
    if (offset >= bytes.length) throw truncated(`it ends at byte ${bytes.length} inside a marker`);
    const marker = bytes[offset++];
    const at = offset - 2;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // TEM, RSTn: no length
    if (marker === 0x00 || marker === 0xd8) throw corrupt(`unexpected marker ${hex(marker)} at byte ${at}`);
    if (marker === 0xd9) throw corrupt(`it ends (EOI at byte ${at}) before a frame header (SOF)`);
    if (marker === 0xda) throw corrupt(`image data (SOS at byte ${at}) comes before a frame header (SOF)`);
    if (offset + 2 > bytes.length) throw truncated(`it ends at byte ${bytes.length} inside the ${hex(marker)} segment at byte ${at}`);
    const length = (bytes[offset] << 8) | bytes[offset + 1];
    if (length < 2) throw corrupt(`segment ${hex(marker)} at byte ${at} declares length ${length}`);
    if (offset + length > bytes.length) {
      throw truncated(`segment ${hex(marker)} at byte ${at} needs ${length} bytes but only ${bytes.length - offset} remain`);
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (UNSUPPORTED_SOF[marker] !== undefined) {
        throw new UnsupportedError(`${UNSUPPORTED_SOF[marker]} JPEG (${hex(marker)}) is not supported; use baseline or progressive JPEG, or PNG`, {
          param: 'image',
          code: 'unsupported_media_type',
        });
      }
      if (length < 8) throw corrupt(`frame header ${hex(marker)} at byte ${at} is ${length} bytes, shorter than 8`);
      const precision = bytes[offset + 2];
      const height = (bytes[offset + 3] << 8) | bytes[offset + 4];
      const width = (bytes[offset + 5] << 8) | bytes[offset + 6];
      const components = bytes[offset + 7];
      if (precision !== 8) {
        throw new UnsupportedError(`${precision}-bit JPEG is not supported; only 8-bit samples are`, {
          param: 'image',
          code: 'unsupported_media_type',
        });
      }
      if (![1, 3, 4].includes(components)) throw corrupt(`frame header says ${components} components (allowed: 1, 3, 4)`);
      if (length !== 8 + 3 * components) throw corrupt(`frame header length ${length} does not match its ${components} components`);
      return { width, height, components, sofMarker: marker };
    }
    offset += length;
  }
}

function endsWithEoi(bytes: Uint8Array): boolean {
  let end = bytes.length;
  while (end > 2 && bytes[end - 1] === 0x00) end--; // some writers pad after EOI
  return bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9;
}

/**
 * Decode baseline or progressive 8-bit JPEG bytes (gray, YCbCr, CMYK via jpeg-js) to RGBA with alpha 255.
 * A frame header that disagrees with the coded data (a "lying" SOF) fails in jpeg-js's scan decoder and is
 * reported as corrupt; dimensions over the limits fail before any decoding. EXIF orientation is not applied
 * (as with PIL and torchvision's decode_jpeg defaults).
 * @example decodeJpegImage(bytes, resolveLimits()).sourceChannels // 3 (1 for a grayscale JPEG)
 */
export function decodeJpegImage(bytes: Uint8Array, limits: ImageLimits): RasterImage {
  const header = readJpegHeader(bytes);
  checkDecodedSize(header.width, header.height, limits, 'JPEG frame header');
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: limits.maxPixels / 1e6,
      maxMemoryUsageInMB: Math.ceil((limits.maxPixels * JPEG_BYTES_PER_PIXEL) / 2 ** 20) + 16,
    });
  } catch (err) {
    if (err instanceof XaiError) throw err;
    const why = endsWithEoi(bytes) ? 'corrupt, or its header does not match its data' : 'truncated or corrupt (no end-of-image marker)';
    throw new ImageDecodeError(`JPEG (${header.width}x${header.height} by its header) is ${why}: ${(err as Error).message}`, {
      code: endsWithEoi(bytes) ? 'corrupt_image' : 'truncated_image',
      cause: err,
    });
  }
  const { width, height, data } = decoded;
  if (width !== header.width || height !== header.height || data.length !== width * height * 4) {
    throw corrupt(`decoder returned ${width}x${height} with ${data.length} bytes; the header says ${header.width}x${header.height}`);
  }
  return {
    width,
    height,
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
    sourceChannels: header.components === 1 ? 1 : 3,
  };
}
