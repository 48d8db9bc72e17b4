// Every way decodeImage can refuse input, each asserting the error class and that the message names the
// problem (the dimensions, the limit, the format), plus fuzzing that no raw TypeError/RangeError escapes.
import { deflateSync } from 'node:zlib';
import { encode as fastPngEncode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { ImageDecodeError, InvalidInputError, LimitExceededError, UnsupportedError, XaiError, httpStatusFor } from '../../src/core/errors.js';
import { decodeImage } from '../../src/core/image/decode.js';
import { resolveLimits } from '../../src/core/image/limits.js';
import { buildPng, chunk, concat, flatJpeg, ihdr, patchJpegSize, randomBytes, rng, scanlines, sofOffset } from './fixtures.js';

/** Run fn, expect it to throw an instance of cls, return the error for message checks. */
function thrown<T extends Error>(fn: () => unknown, cls: new (...args: never[]) => T): T {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(cls);
    return err as T;
  }
  throw new Error(`expected ${cls.name}, nothing was thrown`);
}

const smallPng = () => fastPngEncode({ width: 16, height: 16, data: randomBytes(16 * 16 * 3, 1), channels: 3, depth: 8 });
const SIG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('decodeImage: input and format errors', () => {
  it('rejects empty bytes', () => {
    const e = thrown(() => decodeImage(new Uint8Array(0)), ImageDecodeError);
    expect(e.message).toMatch(/empty \(0 bytes\)/);
    expect(e.message).toMatch(/PNG, JPEG/);
  });

  it('rejects something that is not a Uint8Array', () => {
    const e = thrown(() => decodeImage('hello' as unknown as Uint8Array), InvalidInputError);
    expect(e.message).toMatch(/Uint8Array/);
  });

  it('rejects random bytes as an unrecognised format (HTTP 415) and shows the first bytes', () => {
    const bytes = randomBytes(1000, 2);
    bytes[0] = 0x3f;
    const e = thrown(() => decodeImage(bytes), ImageDecodeError);
    expect(e.message).toMatch(/not recognised \(first bytes: 3f /);
    expect(e.message).toMatch(/supported formats: PNG, JPEG/);
    expect(httpStatusFor(e)).toBe(415);
  });

  for (const [name, magic] of [
    ['GIF', [...'GIF89a'].map((c) => c.charCodeAt(0))],
    ['BMP', [0x42, 0x4d, 0x36, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0]],
    ['WebP', [...'RIFF\x10\x00\x00\x00WEBPVP8 '].map((c) => c.charCodeAt(0))],
    ['TIFF', [0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]],
  ] as const) {
    it(`says ${name} is not supported and names PNG and JPEG`, () => {
      const bytes = concat([Uint8Array.from(magic), randomBytes(100, 3)]);
      const e = thrown(() => decodeImage(bytes), UnsupportedError);
      expect(e.message).toBe(`${name} is not supported; use PNG or JPEG`);
      expect(httpStatusFor(e)).toBe(415);
    });
  }

  it('rejects encoded bytes over maxEncodedBytes, naming size and limit', () => {
    const png = smallPng();
    const e = thrown(() => decodeImage(png, { maxEncodedBytes: 100 }), LimitExceededError);
    expect(e.message).toBe(`image is ${png.length} bytes; the limit is 100 bytes`);
    expect(httpStatusFor(e)).toBe(413);
  });

  it('rejects limits that loosen the documented maxima', () => {
    const e = thrown(() => resolveLimits({ maxSide: 5000 }), InvalidInputError);
    expect(e.message).toMatch(/limits\.maxSide is 5000; allowed: an integer from 1 to 4096/);
  });
});

describe('decodeImage: PNG errors', () => {
  const raw8 = (w: number, h: number) => scanlines(Array.from({ length: h }, () => new Uint8Array(w)));

  it('rejects a PNG cut in half as truncated, naming the chunk', () => {
    const png = smallPng();
    const e = thrown(() => decodeImage(png.slice(0, png.length >> 1)), ImageDecodeError);
    expect(e.message).toMatch(/^PNG is truncated: chunk IDAT at byte \d+ needs \d+ bytes but only \d+ remain$/);
    expect(e.code).toBe('truncated_image');
  });

  it('rejects a PNG cut before the end of its header', () => {
    const e = thrown(() => decodeImage(smallPng().slice(0, 20)), ImageDecodeError);
    expect(e.message).toMatch(/PNG is truncated: it has 20 bytes/);
  });

  it('rejects a PNG whose IEND is missing', () => {
    const png = smallPng();
    const e = thrown(() => decodeImage(png.slice(0, png.length - 12)), ImageDecodeError);
    expect(e.message).toMatch(/PNG is truncated: .*before the IEND chunk/);
  });

  it('rejects zero width in IHDR, naming the dimensions', () => {
    const e = thrown(() => decodeImage(buildPng({ width: 0, height: 16, bitDepth: 8, colorType: 0 }, raw8(1, 16))), ImageDecodeError);
    expect(e.message).toBe('PNG header says the image is 0x16 pixels; width and height must be at least 1');
  });

  it('rejects a 100000x100000 IHDR before allocating anything, naming dimensions and limit', () => {
    const png = buildPng({ width: 100000, height: 100000, bitDepth: 8, colorType: 6 }, raw8(4, 4));
    const e = thrown(() => decodeImage(png), LimitExceededError);
    expect(e.message).toBe('PNG header says the image is 100000x100000 pixels; the limit is 4096 pixels per side and 16777216 pixels in all');
  });

  it('applies tighter custom limits to the pixel count', () => {
    const e = thrown(() => decodeImage(smallPng(), { maxPixels: 100 }), LimitExceededError);
    expect(e.message).toMatch(/16x16 pixels; the limit is 4096 pixels per side and 100 pixels in all/);
  });

  it('rejects a deflate bomb: tiny image, image data inflating to megabytes', () => {
    const bomb = buildPng({ width: 16, height: 16, bitDepth: 8, colorType: 0 }, new Uint8Array(16 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100_000);
    const e = thrown(() => decodeImage(bomb), ImageDecodeError);
    expect(e.message).toBe('PNG is corrupt: its image data inflates to more than the 272 bytes a 16x16 image needs');
  });

  it('rejects image data that inflates to too few bytes', () => {
    const png = buildPng({ width: 16, height: 16, bitDepth: 8, colorType: 0 }, raw8(16, 10));
    const e = thrown(() => decodeImage(png), ImageDecodeError);
    expect(e.message).toBe('PNG is truncated: its image data inflates to 170 bytes but a 16x16 image needs 272');
  });

  it('rejects a zlib stream cut short inside a well-formed chunk', () => {
    const z = deflateSync(randomBytes(17 * 16, 9));
    const png = concat([SIG, ihdr({ width: 16, height: 16, bitDepth: 8, colorType: 0 }), chunk('IDAT', z.subarray(0, z.length - 20)), chunk('IEND')]);
    const e = thrown(() => decodeImage(png), ImageDecodeError);
    expect(e.message).toMatch(/^PNG is (corrupt or truncated|truncated)/);
  });

  it('rejects a flipped byte in IDAT by its CRC', () => {
    const png = smallPng();
    png[50] ^= 0x40;
    const e = thrown(() => decodeImage(png), ImageDecodeError);
    expect(e.message).toMatch(/PNG is corrupt: chunk IDAT at byte 33 fails its CRC check/);
  });

  it('rejects invalid IHDR fields, naming the allowed values', () => {
    const e = thrown(() => decodeImage(buildPng({ width: 4, height: 4, bitDepth: 4, colorType: 2 }, raw8(4, 4))), ImageDecodeError);
    expect(e.message).toBe('PNG is corrupt: IHDR bit depth 4 is invalid for colour type 2 (allowed: 8, 16)');
  });

  it('refuses interlaced sub-byte PNGs as unsupported rather than decode garbage', () => {
    const e = thrown(() => decodeImage(buildPng({ width: 8, height: 8, bitDepth: 1, colorType: 0, interlace: 1 }, raw8(1, 8))), UnsupportedError);
    expect(e.message).toMatch(/interlaced \(Adam7\) 1-bit grayscale PNG is not supported/);
  });

  it('rejects a palette index beyond the palette', () => {
    const plte = chunk('PLTE', [0, 0, 0, 255, 255, 255]);
    const png = buildPng({ width: 3, height: 1, bitDepth: 8, colorType: 3 }, scanlines([Uint8Array.of(0, 1, 7)]), [plte]);
    const e = thrown(() => decodeImage(png), ImageDecodeError);
    expect(e.message).toBe('PNG is corrupt: pixel (2, 0) uses palette index 7 but PLTE has 2 entries');
  });

  it('rejects a palette PNG without PLTE and a PNG without IDAT', () => {
    const noPlte = buildPng({ width: 2, height: 1, bitDepth: 8, colorType: 3 }, scanlines([Uint8Array.of(0, 0)]));
    expect(thrown(() => decodeImage(noPlte), ImageDecodeError).message).toMatch(/palette image without a PLTE chunk/);
    const noIdat = concat([SIG, ihdr({ width: 2, height: 2, bitDepth: 8, colorType: 0 }), chunk('IEND')]);
    expect(thrown(() => decodeImage(noIdat), ImageDecodeError).message).toMatch(/no image data \(no IDAT chunk\)/);
  });

  it('ignores a tRNS chunk on an RGBA image (invalid, but harmless, as libpng does)', () => {
    const png = buildPng({ width: 1, height: 1, bitDepth: 8, colorType: 6 }, scanlines([Uint8Array.of(1, 2, 3, 4)]), [chunk('tRNS', [0, 1])]);
    expect(Array.from(decodeImage(png).data)).toEqual([1, 2, 3, 4]);
  });
});

describe('decodeImage: JPEG errors', () => {
  const jpg = flatJpeg(8, 8, [200, 100, 50]);

  it('rejects a SOF that claims 64x64 for 8x8 data as corrupt, naming the claimed size', () => {
    const e = thrown(() => decodeImage(patchJpegSize(jpg, 64, 64)), ImageDecodeError);
    expect(e.message).toMatch(/^JPEG \(64x64 by its header\) is corrupt, or its header does not match its data: /);
  });

  it('rejects a SOF that claims 60000x60000 before decoding, naming dimensions and limit', () => {
    const e = thrown(() => decodeImage(patchJpegSize(jpg, 60000, 60000)), LimitExceededError);
    expect(e.message).toBe('JPEG frame header says the image is 60000x60000 pixels; the limit is 4096 pixels per side and 16777216 pixels in all');
  });

  it('rejects a SOF with zero height (DNL-defined height)', () => {
    const e = thrown(() => decodeImage(patchJpegSize(jpg, 8, 0)), ImageDecodeError);
    expect(e.message).toBe('JPEG frame header says the image is 8x0 pixels; width and height must be at least 1');
  });

  it('rejects a JPEG cut in half (inside the scan data) as truncated', () => {
    const e = thrown(() => decodeImage(jpg.slice(0, jpg.length >> 1)), ImageDecodeError);
    expect(e.message).toMatch(/^JPEG \(8x8 by its header\) is truncated or corrupt \(no end-of-image marker\)/);
    expect(e.code).toBe('truncated_image');
  });

  it('rejects a JPEG cut inside its header segments, naming the segment', () => {
    const e = thrown(() => decodeImage(jpg.slice(0, 30)), ImageDecodeError);
    expect(e.message).toMatch(/^JPEG is truncated: segment FF[0-9A-F]{2} at byte \d+ needs \d+ bytes but only \d+ remain$/);
  });

  it('refuses arithmetic-coded JPEG as unsupported', () => {
    const b = jpg.slice();
    b[sofOffset(b) + 1] = 0xc9;
    const e = thrown(() => decodeImage(b), UnsupportedError);
    expect(e.message).toMatch(/arithmetic-coded sequential JPEG \(FFC9\) is not supported/);
  });

  it('refuses 12-bit JPEG as unsupported', () => {
    const b = jpg.slice();
    b[sofOffset(b) + 4] = 12;
    expect(thrown(() => decodeImage(b), UnsupportedError).message).toBe('12-bit JPEG is not supported; only 8-bit samples are');
  });
});

describe('decodeImage: no raw exception escapes', () => {
  function decodesOrXaiError(bytes: Uint8Array): void {
    try {
      const img = decodeImage(bytes);
      expect(img.data.length).toBe(img.width * img.height * 4);
    } catch (err) {
      if (!(err instanceof XaiError)) throw new Error(`raw ${(err as Error).name} escaped: ${(err as Error).message}`);
    }
  }

  it('survives every truncation and 300 random corruptions of a PNG and a JPEG', () => {
    const png = fastPngEncode({ width: 12, height: 9, data: randomBytes(12 * 9 * 4, 4), channels: 4, depth: 8 });
    const jpg = flatJpeg(16, 16, [10, 200, 30], 80);
    const r = rng(5);
    for (const src of [png, jpg]) {
      for (let cut = 1; cut < src.length; cut++) decodesOrXaiError(src.slice(0, cut));
      for (let k = 0; k < 300; k++) {
        const b = src.slice();
        const flips = 1 + Math.floor(r() * 4);
        for (let f = 0; f < flips; f++) b[2 + Math.floor(r() * (b.length - 2))] = Math.floor(r() * 256);
        decodesOrXaiError(b);
      }
    }
  });

  it('survives random corruption of PNG image data behind valid CRCs', () => {
    const r = rng(6);
    const rows = Array.from({ length: 9 }, () => randomBytes(12 * 3, Math.floor(r() * 1e9)));
    for (let k = 0; k < 200; k++) {
      const z = deflateSync(scanlines(rows));
      const flips = 1 + Math.floor(r() * 3);
      for (let f = 0; f < flips; f++) z[2 + Math.floor(r() * (z.length - 2))] = Math.floor(r() * 256);
      decodesOrXaiError(concat([SIG, ihdr({ width: 12, height: 9, bitDepth: 8, colorType: 2 }), chunk('IDAT', z), chunk('IEND')]));
    }
  });
});
