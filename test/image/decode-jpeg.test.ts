// JPEG decoding against known pixels: flat colours survive within a few levels, a smooth gradient stays
// close to its source, and the memory cap given to jpeg-js does not reject images at the pixel limit.
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/core/image/decode.js';
import { readJpegHeader } from '../../src/core/image/jpeg.js';
import { expectAllClose } from '../helpers/close.js';
import { flatJpeg } from './fixtures.js';

describe('decodeImage: JPEG', () => {
  for (const rgb of [
    [200, 100, 50],
    [0, 0, 0],
    [255, 255, 255],
    [17, 230, 128],
  ] as [number, number, number][]) {
    it(`decodes flat rgb(${rgb.join(', ')}) within 3 levels, opaque`, () => {
      const img = decodeImage(flatJpeg(24, 16, rgb));
      expect([img.width, img.height, img.sourceChannels]).toEqual([24, 16, 3]);
      const expected = Array.from({ length: 24 * 16 }, () => [...rgb, 255]).flat();
      expectAllClose(img.data, expected, { atol: 3, rtol: 0 });
    });
  }

  it('decodes a smooth gradient close to its source (mean error under 2 levels)', () => {
    const w = 64;
    const h = 48;
    const src = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) src.set([x * 4, y * 5, 255 - x * 2, 255], (y * w + x) * 4);
    }
    const img = decodeImage(new Uint8Array(jpeg.encode({ width: w, height: h, data: src }, 95).data));
    let err = 0;
    for (let i = 0; i < src.length; i++) err += Math.abs(img.data[i] - src[i]);
    expect(err / src.length).toBeLessThan(2);
  });

  it('reads the frame header without decoding', () => {
    expect(readJpegHeader(flatJpeg(40, 30, [1, 2, 3]))).toEqual({ width: 40, height: 30, components: 3, sofMarker: 0xc0 });
  });

  it("jpeg-js's memory cap, derived from maxPixels, admits an image exactly at the pixel limit", () => {
    const img = decodeImage(flatJpeg(1024, 768, [90, 90, 90]), { maxPixels: 1024 * 768 });
    expect([img.width, img.height]).toEqual([1024, 768]);
  });
});
