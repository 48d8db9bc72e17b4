/**
 * PNG structure checks done before any pixel is decoded: signature, IHDR fields, the chunk sequence (bounds,
 * CRCs of critical chunks, IEND present) and the exact size the image data must inflate to. Follows the PNG
 * specification, 3rd edition (W3C 2025), sections 5 (datastream), 11.2 (critical chunks) and 8 (interlacing).
 */
import { ImageDecodeError, UnsupportedError } from '../errors.js';
import { crc32 } from './crc32.js';
import { PNG_SIGNATURE } from './sniff.js';

export type PngColorType = 0 | 2 | 3 | 4 | 6;

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: 1 | 2 | 4 | 8 | 16;
  readonly colorType: PngColorType;
  /** 0 none, 1 Adam7. */
  readonly interlace: 0 | 1;
}

/** Samples per pixel of each colour type (palette: one index). */
export const PNG_CHANNELS: Readonly<Record<PngColorType, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Allowed bit depths per colour type (PNG spec table 11.1). */
const ALLOWED_DEPTHS: Readonly<Record<PngColorType, readonly number[]>> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

const COLOR_TYPE_NAMES: Readonly<Record<PngColorType, string>> = {
  0: 'grayscale',
  2: 'RGB',
  3: 'palette',
  4: 'grayscale+alpha',
  6: 'RGBA',
};

/** Adam7 passes: x0, y0, dx, dy (PNG spec 8.2). */
export const ADAM7_PASSES: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function corrupt(message: string): ImageDecodeError {
  return new ImageDecodeError(`PNG is corrupt: ${message}`, { code: 'corrupt_image' });
}

function truncated(message: string): ImageDecodeError {
  return new ImageDecodeError(`PNG is truncated: ${message}`, { code: 'truncated_image' });
}

/** Human name of a colour type and depth, e.g. "16-bit RGBA". */
export function describePngType(h: PngHeader): string {
  return `${h.bitDepth}-bit ${COLOR_TYPE_NAMES[h.colorType]}`;
}

/**
 * Read and check the IHDR chunk (it must come first). Dimensions are returned as stored; the caller checks
 * them against its limits before anything else (its CRC is checked with the other chunks, by readPngChunks).
 * @example readPngHeader(bytes) // { width: 224, height: 224, bitDepth: 8, colorType: 6, interlace: 0 }
 */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  for (let i = 0; i < PNG_SIGNATURE.length; i++) {
    if (bytes[i] !== PNG_SIGNATURE[i]) throw corrupt('the 8-byte PNG signature is missing');
  }
  if (bytes.length < 8 + 8 + 13 + 4) {
    throw truncated(`it has ${bytes.length} bytes, fewer than the 33 that signature and IHDR chunk take`);
  }
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== 'IHDR' || u32(bytes, 8) !== 13) throw corrupt(`the first chunk must be a 13-byte IHDR, found "${type}"`);
  const width = u32(bytes, 16);
  const height = u32(bytes, 20);
  const bitDepth = bytes[24];
  const colorType = bytes[25];
  if (!(colorType in ALLOWED_DEPTHS)) throw corrupt(`IHDR colour type ${colorType} is invalid (allowed: 0, 2, 3, 4, 6)`);
  const allowed = ALLOWED_DEPTHS[colorType as PngColorType];
  if (!allowed.includes(bitDepth)) {
    throw corrupt(`IHDR bit depth ${bitDepth} is invalid for colour type ${colorType} (allowed: ${allowed.join(', ')})`);
  }
  if (bytes[26] !== 0) throw corrupt(`IHDR compression method ${bytes[26]} is invalid (only 0, deflate, exists)`);
  if (bytes[27] !== 0) throw corrupt(`IHDR filter method ${bytes[27]} is invalid (only 0 exists)`);
  if (bytes[28] !== 0 && bytes[28] !== 1) throw corrupt(`IHDR interlace method ${bytes[28]} is invalid (allowed: 0, 1)`);
  const header: PngHeader = {
    width,
    height,
    bitDepth: bitDepth as PngHeader['bitDepth'],
    colorType: colorType as PngColorType,
    interlace: bytes[28] as 0 | 1,
  };
  if (header.interlace === 1 && bitDepth < 8) {
    // fast-png 8 de-interlaces packed sub-byte samples as if they were bytes; refuse rather than return garbage.
    throw new UnsupportedError(`interlaced (Adam7) ${describePngType(header)} PNG is not supported; save it without interlacing or at 8-bit depth`, {
      param: 'image',
      code: 'unsupported_media_type',
    });
  }
  return header;
}

/** Bytes of one filtered scanline of `width` pixels, including its filter-type byte. */
function scanlineBytes(h: PngHeader, width: number): number {
  return 1 + Math.ceil((width * PNG_CHANNELS[h.colorType] * h.bitDepth) / 8);
}

/**
 * The exact number of bytes the zlib stream of the image data inflates to (PNG spec 7.2 and 8.2): one filter
 * byte plus the packed samples per scanline, for each Adam7 pass that is not empty when interlaced.
 * @example inflatedSize({ width: 2, height: 2, bitDepth: 8, colorType: 6, interlace: 0 }) // 18
 */
export function inflatedSize(h: PngHeader): number {
  if (h.interlace === 0) return h.height * scanlineBytes(h, h.width);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7_PASSES) {
    const w = Math.ceil((h.width - x0) / dx);
    const rows = Math.ceil((h.height - y0) / dy);
    if (w > 0 && rows > 0) total += rows * scanlineBytes(h, w);
  }
  return total;
}

export interface PngChunks {
  /** The IDAT chunk payloads in order (views into the input, no copies). */
  readonly idat: readonly Uint8Array[];
  readonly hasPalette: boolean;
  /** Where the first tRNS chunk lies (whole chunk, [start, end) in the input) and its payload. */
  readonly trns?: { readonly start: number; readonly end: number; readonly data: Uint8Array };
}

/**
 * Walk every chunk from IHDR up to IEND: each must lie inside the input, critical chunks (IHDR, PLTE, IDAT,
 * IEND) must pass their CRC (ancillary ones are not checked, as libpng does), unknown critical chunks are an
 * error (spec 5.4), and there must be image data.
 */
export function readPngChunks(bytes: Uint8Array, header: PngHeader): PngChunks {
  const idat: Uint8Array[] = [];
  let hasPalette = false;
  let trns: PngChunks['trns'];
  let offset = 8;
  for (;;) {
    if (offset + 8 > bytes.length) {
      throw truncated(`it ends at byte ${bytes.length}, inside the chunk header at byte ${offset}, before the IEND chunk`);
    }
    const length = u32(bytes, offset);
    const typeBytes = bytes.subarray(offset + 4, offset + 8);
    const type = String.fromCharCode(...typeBytes);
    if (!/^[A-Za-z]{4}$/.test(type)) throw corrupt(`the chunk at byte ${offset} has an invalid type (bytes ${Array.from(typeBytes).join(', ')})`);
    if (length > 0x7fffffff) throw corrupt(`chunk ${type} at byte ${offset} declares length ${length}, over 2^31 - 1`);
    const end = offset + 12 + length;
    if (end > bytes.length) {
      throw truncated(`chunk ${type} at byte ${offset} needs ${length + 12} bytes but only ${bytes.length - offset} remain`);
    }
    const critical = (typeBytes[0] & 0x20) === 0;
    if (critical) {
      if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== u32(bytes, offset + 8 + length)) {
        throw corrupt(`chunk ${type} at byte ${offset} fails its CRC check`);
      }
      if (type === 'IDAT') idat.push(bytes.subarray(offset + 8, offset + 8 + length));
      else if (type === 'PLTE') hasPalette = true;
      else if (type === 'IEND') break;
      else if (type === 'IHDR') {
        if (offset !== 8) throw corrupt(`a second IHDR chunk at byte ${offset}`);
      }
      else throw corrupt(`unknown critical chunk ${type} at byte ${offset}`);
    }
    if (type === 'tRNS' && trns === undefined) trns = { start: offset, end, data: bytes.subarray(offset + 8, offset + 8 + length) };
    offset = end;
  }
  if (idat.length === 0) throw corrupt('it has no image data (no IDAT chunk)');
  if (header.colorType === 3 && !hasPalette) throw corrupt('a palette image without a PLTE chunk');
  return trns ? { idat, hasPalette, trns } : { idat, hasPalette };
}
