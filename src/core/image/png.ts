/**
 * PNG decoding to a RasterImage: structure and limits first (png-structure.ts), then a bounded inflate of the
 * image data (so a small file cannot inflate to gigabytes), then fast-png for unfiltering and de-interlacing,
 * then conversion of every PNG colour type and bit depth to 8-bit RGBA.
 */
import { decode as fastPngDecode, type DecodedPng } from 'fast-png';
import { Unzlib } from 'fflate';
import { ImageDecodeError, XaiError } from '../errors.js';
import type { ImageLimits } from './limits.js';
import { checkDecodedSize } from './limits.js';
import { inflatedSize, PNG_CHANNELS, readPngChunks, readPngHeader, type PngChunks, type PngHeader } from './png-structure.js';
import type { RasterImage, SourceChannels } from './raster.js';

/** Inflated bytes tolerated past the exact size: libpng treats a little trailing data as a benign error. */
const EXCESS_TOLERANCE = 64 * 1024;
/**
 * Compressed bytes pushed per inflate step: about expected / 1024, within 16 KiB .. 256 KiB. Deflate expands at
 * most 1032:1, so one step of a hostile stream yields at most about the size the header already implies (or
 * 16 MiB for small images) before the count stops it; larger steps are faster for large legitimate images.
 */
function inflateStep(expected: number): number {
  return Math.min(256 * 1024, Math.max(16 * 1024, Math.floor(expected / 1024)));
}

/**
 * Inflate the IDAT stream once without keeping the output, counting bytes; stop as soon as it exceeds what the
 * header implies. Catches deflate bombs and truncated or corrupt streams with a clear message.
 */
function checkImageData(idat: readonly Uint8Array[], header: PngHeader): void {
  const expected = inflatedSize(header);
  let total = 0;
  const inflater = new Unzlib((chunk) => {
    total += chunk.length;
    if (total > expected + EXCESS_TOLERANCE) {
      throw new ImageDecodeError(
        `PNG is corrupt: its image data inflates to more than the ${expected} bytes a ${header.width}x${header.height} image needs`,
        { code: 'corrupt_image' },
      );
    }
  });
  const step = inflateStep(expected);
  try {
    for (const part of idat) {
      for (let i = 0; i < part.length; i += step) inflater.push(part.subarray(i, i + step), false);
    }
    inflater.push(new Uint8Array(0), true);
  } catch (err) {
    if (err instanceof XaiError) throw err;
    throw new ImageDecodeError(`PNG is corrupt or truncated: its image data does not inflate (${(err as Error).message})`, {
      code: 'corrupt_image',
      cause: err,
    });
  }
  if (total < expected) {
    throw new ImageDecodeError(
      `PNG is truncated: its image data inflates to ${total} bytes but a ${header.width}x${header.height} image needs ${expected}`,
      { code: 'truncated_image' },
    );
  }
}

/** One sample per channel per pixel in the PNG's own depth (unpacks 1/2/4-bit rows), checking the codec's lengths. */
function samplesOf(png: DecodedPng, header: PngHeader): ArrayLike<number> {
  const { width, height, bitDepth } = header;
  const channels = PNG_CHANNELS[header.colorType];
  if (png.width !== width || png.height !== height || png.depth !== bitDepth || png.channels !== channels) {
    throw new ImageDecodeError(
      `PNG decoder returned ${png.width}x${png.height} ${png.depth}-bit x${png.channels}; the header says ${width}x${height} ${bitDepth}-bit x${channels}`,
      { code: 'corrupt_image' },
    );
  }
  if (bitDepth >= 8) {
    const n = width * height * channels;
    if (png.data.length !== n) {
      throw new ImageDecodeError(`PNG is truncated: ${png.data.length} samples decoded, ${n} expected for ${width}x${height}x${channels}`, {
        code: 'truncated_image',
      });
    }
    return png.data;
  }
  // Sub-byte depths are gray or palette (one channel), rows packed most significant bits first (spec 7.2).
  const rowBytes = Math.ceil((width * bitDepth) / 8);
  if (png.data.length !== rowBytes * height) {
    throw new ImageDecodeError(`PNG is truncated: ${png.data.length} bytes decoded, ${rowBytes * height} expected`, {
      code: 'truncated_image',
    });
  }
  const out = new Uint8Array(width * height);
  const mask = (1 << bitDepth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * bitDepth;
      out[y * width + x] = (png.data[y * rowBytes + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & mask;
    }
  }
  return out;
}

/**
 * A sample of depth 1-16 as 8 bits, by the exact rescaling of PNG spec 13.12, round(v * 255 / (2^depth - 1)):
 * 16-bit v maps to round(v / 257) (so v = 257 * b gives back b exactly); 1/2/4-bit gray maps to v * 255, 85, 17.
 */
function to8Bit(depth: number): (v: number) => number {
  if (depth === 8) return (v) => v;
  if (depth === 16) return (v) => Math.floor((v + 128) / 257);
  const mul = 255 / ((1 << depth) - 1);
  return (v) => v * mul;
}

/**
 * The tRNS colour key of a gray or RGB image, in sample units ([gray] or [r, g, b]); undefined when absent or
 * malformed (libpng ignores a bad tRNS with a warning too).
 */
function colorKey(chunks: PngChunks, header: PngHeader): Uint16Array | undefined {
  const t = chunks.trns?.data;
  const n = header.colorType === 0 ? 1 : header.colorType === 2 ? 3 : 0;
  if (t === undefined || n === 0 || t.length !== 2 * n) return undefined;
  return Uint16Array.from({ length: n }, (_, i) => (t[2 * i] << 8) | t[2 * i + 1]);
}

/**
 * The bytes fast-png gets: without the tRNS chunk unless the image has a palette. fast-png 8 rejects a valid
 * colour-key tRNS on images with fewer pixels than key values and throws on tRNS with an alpha channel; we
 * apply colour keys ourselves.
 */
function codecInput(bytes: Uint8Array, chunks: PngChunks, header: PngHeader): Uint8Array {
  const t = chunks.trns;
  if (t === undefined || header.colorType === 3) return bytes;
  const out = new Uint8Array(bytes.length - (t.end - t.start));
  out.set(bytes.subarray(0, t.start));
  out.set(bytes.subarray(t.end), t.start);
  return out;
}

/** Convert decoded samples to RGBA, applying the palette (with its tRNS alpha) or the colour key. */
function toRaster(png: DecodedPng, header: PngHeader, key: Uint16Array | undefined): RasterImage {
  const { width, height, colorType, bitDepth } = header;
  const samples = samplesOf(png, header);
  const n = width * height;
  const data = new Uint8ClampedArray(n * 4);
  if (colorType === 3) {
    const palette = png.palette ?? [];
    let alpha = false;
    for (let i = 0; i < n; i++) {
      const entry = palette[samples[i]];
      if (entry === undefined) {
        throw new ImageDecodeError(
          `PNG is corrupt: pixel (${i % width}, ${Math.floor(i / width)}) uses palette index ${samples[i]} but PLTE has ${palette.length} entries`,
          { code: 'corrupt_image' },
        );
      }
      data[i * 4] = entry[0];
      data[i * 4 + 1] = entry[1];
      data[i * 4 + 2] = entry[2];
      data[i * 4 + 3] = entry.length > 3 ? entry[3] : 255;
      if (entry.length > 3) alpha = true;
    }
    return { width, height, data, sourceChannels: alpha ? 4 : 3 };
  }
  const to8 = to8Bit(bitDepth);
  const channels = PNG_CHANNELS[colorType];
  for (let i = 0, s = 0, d = 0; i < n; i++, s += channels, d += 4) {
    if (colorType === 0 || colorType === 4) {
      data[d] = data[d + 1] = data[d + 2] = to8(samples[s]);
      data[d + 3] = colorType === 4 ? to8(samples[s + 1]) : key && samples[s] === key[0] ? 0 : 255;
    } else {
      data[d] = to8(samples[s]);
      data[d + 1] = to8(samples[s + 1]);
      data[d + 2] = to8(samples[s + 2]);
      const keyed = key !== undefined && samples[s] === key[0] && samples[s + 1] === key[1] && samples[s + 2] === key[2];
      data[d + 3] = colorType === 6 ? to8(samples[s + 3]) : keyed ? 0 : 255;
    }
  }
  const base = colorType === 0 || colorType === 4 ? 1 : 3;
  const withAlpha = colorType === 4 || colorType === 6 || key !== undefined;
  return { width, height, data, sourceChannels: (withAlpha ? base + 1 : base) as SourceChannels };
}

/**
 * Decode PNG bytes (any colour type and bit depth of the PNG spec; Adam7 at 8 and 16 bits) to 8-bit RGBA.
 * Checks the header against `limits` before allocating, and the chunk structure, CRCs of critical chunks and the
 * inflated size before decoding. 16-bit samples become round(v / 257). Only the default image of an APNG is read.
 * @example decodePngImage(bytes, resolveLimits()) // { width, height, data: RGBA, sourceChannels }
 */
export function decodePngImage(bytes: Uint8Array, limits: ImageLimits): RasterImage {
  const header = readPngHeader(bytes);
  checkDecodedSize(header.width, header.height, limits, 'PNG header');
  const chunks = readPngChunks(bytes, header);
  checkImageData(chunks.idat, header);
  let png: DecodedPng;
  try {
    png = fastPngDecode(codecInput(bytes, chunks, header));
  } catch (err) {
    throw new ImageDecodeError(`PNG could not be decoded: ${(err as Error).message}`, { code: 'corrupt_image', cause: err });
  }
  return toRaster(png, header, colorKey(chunks, header));
}
