// PNG decoding against known pixels: every colour type and bit depth round-trips through an encoder
// (fast-png, or the hand-rolled writer for what fast-png cannot write) to the exact expected RGBA.
import { encode as fastPngEncode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/core/image/crc32.js';
import { decodeImage } from '../../src/core/image/decode.js';
import { encodePng } from '../../src/core/image/encode.js';
import { inflatedSize } from '../../src/core/image/png-structure.js';
import { rasterFromChannels } from '../../src/core/image/raster.js';
import { buildPng, chunk, randomBytes, rng, scanlines } from './fixtures.js';

/** Expected RGBA from interleaved 8-bit samples with 1-4 channels. */
function rgbaOf(samples: ArrayLike<number>, channels: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < samples.length; i += channels) {
    const px = Array.from({ length: channels }, (_, k) => samples[i + k]);
    if (channels === 1) out.push(px[0], px[0], px[0], 255);
    if (channels === 2) out.push(px[0], px[0], px[0], px[1]);
    if (channels === 3) out.push(px[0], px[1], px[2], 255);
    if (channels === 4) out.push(...px);
  }
  return out;
}

describe('crc32', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('decodeImage: PNG round trips', () => {
  const w = 13;
  const h = 7;
  for (const [channels, name, sc] of [
    [1, 'gray', 1],
    [2, 'gray+alpha', 2],
    [3, 'RGB', 3],
    [4, 'RGBA', 4],
  ] as const) {
    it(`8-bit ${name} is exact`, () => {
      const samples = randomBytes(w * h * channels, 10 + channels);
      const img = decodeImage(fastPngEncode({ width: w, height: h, data: samples, channels, depth: 8 }));
      expect([img.width, img.height, img.sourceChannels]).toEqual([w, h, sc]);
      expect(Array.from(img.data)).toEqual(rgbaOf(samples, channels));
    });

    it(`16-bit ${name} becomes round(v / 257), and v = 257 * b gives b back exactly`, () => {
      const r = rng(20 + channels);
      const samples = Uint16Array.from({ length: w * h * channels }, () => Math.floor(r() * 65536));
      samples[0] = 128; // round(128 / 257) = 0
      samples[1 % samples.length] = 129; // rounds up to 1
      const img = decodeImage(fastPngEncode({ width: w, height: h, data: samples, channels, depth: 16 }));
      const expected = rgbaOf(Array.from(samples, (v) => Math.round((v * 255) / 65535)), channels);
      expect(Array.from(img.data)).toEqual(expected);
      expect(img.sourceChannels).toBe(sc);

      const bytes = randomBytes(w * h * channels, 30 + channels);
      const exact = decodeImage(fastPngEncode({ width: w, height: h, data: Uint16Array.from(bytes, (b) => b * 257), channels, depth: 16 }));
      expect(Array.from(exact.data)).toEqual(rgbaOf(bytes, channels));
    });
  }

  it('8-bit palette without and with tRNS alpha', () => {
    const palette = Array.from({ length: 20 }, (_, i) => [i * 12, 255 - i * 10, (i * 37) % 256]);
    const idx = randomBytes(w * h, 40, palette.length);
    const img = decodeImage(fastPngEncode({ width: w, height: h, data: idx, channels: 1, depth: 8, palette }));
    expect(img.sourceChannels).toBe(3);
    expect(Array.from(img.data)).toEqual(Array.from(idx).flatMap((i) => [...palette[i], 255]));

    // fast-png writes tRNS for the entries whose alpha is not 255, so every entry gets a non-opaque alpha.
    const withAlpha = palette.map((c, i) => [...c, i * 11]);
    const imgA = decodeImage(fastPngEncode({ width: w, height: h, data: idx, channels: 1, depth: 8, palette: withAlpha }));
    expect(imgA.sourceChannels).toBe(4);
    expect(Array.from(imgA.data)).toEqual(Array.from(idx).flatMap((i) => withAlpha[i]));
  });

  for (const depth of [1, 2, 4] as const) {
    it(`${depth}-bit gray scales v to v * 255 / (2^${depth} - 1), and ${depth}-bit palette indexes`, () => {
      const max = (1 << depth) - 1;
      const values = randomBytes(w * h, 50 + depth, max + 1);
      const rowBytes = Math.ceil((w * depth) / 8);
      const packed = new Uint8Array(rowBytes * h);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const bit = x * depth;
          packed[y * rowBytes + (bit >> 3)] |= values[y * w + x] << (8 - depth - (bit & 7));
        }
      }
      const gray = decodeImage(fastPngEncode({ width: w, height: h, data: packed, channels: 1, depth }));
      expect(gray.sourceChannels).toBe(1);
      expect(Array.from(gray.data)).toEqual(Array.from(values).flatMap((v) => [(v * 255) / max, (v * 255) / max, (v * 255) / max, 255]));

      const palette = Array.from({ length: max + 1 }, (_, i) => [i, 100 + i, 200 - i]);
      const pal = decodeImage(fastPngEncode({ width: w, height: h, data: packed, channels: 1, depth, palette }));
      expect(Array.from(pal.data)).toEqual(Array.from(values).flatMap((v) => [...palette[v], 255]));
    });
  }

  it('Adam7-interlaced 8-bit RGBA and 16-bit gray decode to the same pixels', () => {
    const rgba = randomBytes(w * h * 4, 60);
    const img = decodeImage(fastPngEncode({ width: w, height: h, data: rgba, channels: 4, depth: 8 }, { interlace: 'Adam7' }));
    expect(Array.from(img.data)).toEqual(Array.from(rgba));

    const g16 = Uint16Array.from(randomBytes(w * h, 61), (b) => b * 257);
    const img16 = decodeImage(fastPngEncode({ width: w, height: h, data: g16, channels: 1, depth: 16 }, { interlace: 'Adam7' }));
    expect(Array.from(img16.data)).toEqual(rgbaOf(Array.from(g16, (v) => v / 257), 1));
  });

  it('tRNS colour keys make matching gray and RGB pixels transparent (8 and 16 bit)', () => {
    // 3x1 gray: values 5, 9, 5 with key 5.
    const gray = decodeImage(buildPng({ width: 3, height: 1, bitDepth: 8, colorType: 0 }, scanlines([Uint8Array.of(5, 9, 5)]), [chunk('tRNS', [0, 5])]));
    expect(gray.sourceChannels).toBe(2);
    expect(Array.from(gray.data)).toEqual([5, 5, 5, 0, 9, 9, 9, 255, 5, 5, 5, 0]);

    // 2x1 RGB16: (1000, 2000, 3000) keyed, (1000, 2000, 3001) not.
    const row = Uint8Array.of(0x03, 0xe8, 0x07, 0xd0, 0x0b, 0xb8, 0x03, 0xe8, 0x07, 0xd0, 0x0b, 0xb9);
    const rgb = decodeImage(
      buildPng({ width: 2, height: 1, bitDepth: 16, colorType: 2 }, scanlines([row]), [chunk('tRNS', [0x03, 0xe8, 0x07, 0xd0, 0x0b, 0xb8])]),
    );
    expect(rgb.sourceChannels).toBe(4);
    const b = (v: number) => Math.round(v / 257);
    expect(Array.from(rgb.data)).toEqual([b(1000), b(2000), b(3000), 0, b(1000), b(2000), b(3001), 255]);
  });

  it('inflatedSize counts filter bytes and packed samples, per Adam7 pass when interlaced', () => {
    expect(inflatedSize({ width: 2, height: 2, bitDepth: 8, colorType: 6, interlace: 0 })).toBe(18);
    expect(inflatedSize({ width: 10, height: 3, bitDepth: 1, colorType: 0, interlace: 0 })).toBe(3 * (1 + 2));
    // 3x3 RGB8 Adam7: passes 1 (1x1), 2 (empty: x0 = 4), 3 (empty: y0 = 4), 4 (1x1), 5 (2x1), 6 (1x2), 7 (3x1).
    expect(inflatedSize({ width: 3, height: 3, bitDepth: 8, colorType: 2, interlace: 1 })).toBe(4 + 4 + 7 + 2 * 4 + 10);
  });
});

describe('encodePng', () => {
  it('round-trips RGBA exactly through decodeImage', () => {
    const img = rasterFromChannels(9, 5, randomBytes(9 * 5 * 4, 70), 4);
    const back = decodeImage(encodePng(img));
    expect(back.sourceChannels).toBe(4);
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
  });

  it("writes one gray channel: a gray source's value, else rounded BT.601 luma", () => {
    const g = rasterFromChannels(4, 2, randomBytes(8, 71), 1);
    const backG = decodeImage(encodePng(g, { channels: 'gray' }));
    expect(backG.sourceChannels).toBe(1);
    expect(Array.from(backG.data)).toEqual(Array.from(g.data));

    const c = rasterFromChannels(2, 1, [255, 0, 0, 10, 20, 30], 3);
    const backC = decodeImage(encodePng(c, { channels: 'gray' }));
    expect([backC.data[0], backC.data[4]]).toEqual([Math.round(0.299 * 255), Math.round(0.299 * 10 + 0.587 * 20 + 0.114 * 30)]);
  });
});
