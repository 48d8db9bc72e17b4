// Resizing against known truths: PyTorch's documented bilinear output for [[1, 2], [3, 4]], a direct (non-
// separable) evaluation of PyTorch's bilinear formula, brute-force 2D box integration for area resizing, and
// floor(dst * in / out) for nearest.
import { describe, expect, it } from 'vitest';
import { InvalidInputError, LimitExceededError } from '../../src/core/errors.js';
import { rasterFromChannels } from '../../src/core/image/raster.js';
import {
  centerCrop,
  centerOffset,
  resizeArea,
  resizeBilinear,
  resizeMapBilinear,
  resizeMapNearest,
  resizeShortSideThenCrop,
  shortSideSize,
} from '../../src/core/image/resize.js';
import { expectAllClose } from '../helpers/close.js';
import { randomBytes, rng } from './fixtures.js';

/** PyTorch upsample_bilinear2d (align_corners=False), written out per output pixel, in float64. */
function torchBilinear(src: ArrayLike<number>, inW: number, inH: number, outW: number, outH: number): number[] {
  const axis = (inSize: number, outSize: number, dst: number) => {
    const r = Math.max((inSize / outSize) * (dst + 0.5) - 0.5, 0);
    const i0 = Math.min(Math.floor(r), inSize - 1);
    const p = i0 < inSize - 1 ? 1 : 0;
    const l1 = r - i0;
    return { i0, i1: i0 + p, l0: 1 - l1, l1 };
  };
  const out: number[] = [];
  for (let y = 0; y < outH; y++) {
    const a = axis(inH, outH, y);
    for (let x = 0; x < outW; x++) {
      const b = axis(inW, outW, x);
      const v = (yy: number, xx: number) => src[yy * inW + xx];
      out.push(a.l0 * (b.l0 * v(a.i0, b.i0) + b.l1 * v(a.i0, b.i1)) + a.l1 * (b.l0 * v(a.i1, b.i0) + b.l1 * v(a.i1, b.i1)));
    }
  }
  return out;
}

/** Area resize by brute-force 2D integration: the mean of the source over each output pixel's footprint. */
function boxIntegral(src: ArrayLike<number>, inW: number, inH: number, outW: number, outH: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < outH; y++) {
    const y0 = (y * inH) / outH;
    const y1 = ((y + 1) * inH) / outH;
    for (let x = 0; x < outW; x++) {
      const x0 = (x * inW) / outW;
      const x1 = ((x + 1) * inW) / outW;
      let sum = 0;
      for (let sy = 0; sy < inH; sy++) {
        const oy = Math.max(0, Math.min(sy + 1, y1) - Math.max(sy, y0));
        for (let sx = 0; sx < inW; sx++) {
          const ox = Math.max(0, Math.min(sx + 1, x1) - Math.max(sx, x0));
          sum += oy * ox * src[sy * inW + sx];
        }
      }
      out.push(sum / ((y1 - y0) * (x1 - x0)));
    }
  }
  return out;
}

function randomMap(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

/** One channel of an RGBA raster. */
function channel(data: ArrayLike<number>, c: number): number[] {
  return Array.from({ length: data.length / 4 }, (_, i) => data[i * 4 + c]);
}

describe('resizeMapBilinear (PyTorch bilinear, align_corners=False)', () => {
  it('gives F.interpolate([[1, 2], [3, 4]], size=(4, 4)) exactly', () => {
    const out = resizeMapBilinear(Float32Array.of(1, 2, 3, 4), 2, 2, 4, 4);
    expect(Array.from(out)).toEqual([1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
  });

  for (const [inW, inH, outW, outH] of [
    [3, 5, 11, 7],
    [13, 9, 6, 4],
    [7, 7, 224, 224],
    [1, 6, 5, 3],
    [10, 10, 10, 10],
    [224, 224, 7, 7],
  ]) {
    it(`equals a direct evaluation of the formula for ${inW}x${inH} -> ${outW}x${outH}`, () => {
      const map = randomMap(inW * inH, inW * 100 + outW);
      expectAllClose(resizeMapBilinear(map, inW, inH, outW, outH), torchBilinear(map, inW, inH, outW, outH), { atol: 1e-6, rtol: 0 });
    });
  }

  it('rejects a map whose length does not match its size, and absurd targets', () => {
    expect(() => resizeMapBilinear(new Float32Array(5), 2, 2, 4, 4)).toThrow(InvalidInputError);
    expect(() => resizeMapBilinear(new Float32Array(4), 2, 2, 5000, 4)).toThrow(LimitExceededError);
  });
});

describe('resizeBilinear (RGBA rasters)', () => {
  it('each channel is the correctly rounded direct evaluation', () => {
    const [w, h, ow, oh] = [9, 6, 20, 13];
    const img = rasterFromChannels(w, h, randomBytes(w * h * 4, 7), 4);
    const out = resizeBilinear(img, ow, oh);
    expect([out.width, out.height, out.sourceChannels]).toEqual([ow, oh, 4]);
    for (let c = 0; c < 4; c++) {
      expectAllClose(channel(out.data, c), torchBilinear(channel(img.data, c), w, h, ow, oh), { atol: 0.5 + 1e-6, rtol: 0 });
    }
  });

  it('rejects zero and absurd sizes', () => {
    const img = rasterFromChannels(2, 2, [1, 2, 3, 4], 1);
    expect(() => resizeBilinear(img, 0, 4)).toThrow(/integers >= 1/);
    expect(() => resizeBilinear(img, 100000, 4)).toThrow(LimitExceededError);
  });
});

describe('resizeArea', () => {
  it('4x4 -> 2x2 gives the 2x2 block means', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    const out = resizeArea(rasterFromChannels(4, 4, v.map((x) => x * 10), 1), 2, 2);
    // blocks: (1,2,5,6), (3,4,7,8), (9,10,13,14), (11,12,15,16), times 10
    expect(channel(out.data, 0)).toEqual([35, 55, 115, 135]);
  });

  it('3x3 -> 2x2 gives fractional-coverage means (weights 4/9, 2/9, 2/9, 1/9 at a corner)', () => {
    const a = [9, 18, 27, 36, 45, 54, 63, 72, 81];
    const out = resizeArea(rasterFromChannels(3, 3, a, 1), 2, 2);
    const corner = (p: number, q: number, r: number, s: number) => (4 * p + 2 * q + 2 * r + s) / 9;
    const expected = [corner(a[0], a[1], a[3], a[4]), corner(a[2], a[1], a[5], a[4]), corner(a[6], a[7], a[3], a[4]), corner(a[8], a[7], a[5], a[4])];
    expect(expected).toEqual([21, 33, 57, 69]); // the known truth, in integers
    expect(channel(out.data, 0)).toEqual(expected);
  });

  it('equals brute-force 2D box integration for non-integer ratios', () => {
    const [w, h, ow, oh] = [11, 7, 4, 3];
    const img = rasterFromChannels(w, h, randomBytes(w * h * 4, 8), 4);
    const out = resizeArea(img, ow, oh);
    for (let c = 0; c < 4; c++) expectAllClose(channel(out.data, c), boxIntegral(channel(img.data, c), w, h, ow, oh), { atol: 0.5 + 1e-6, rtol: 0 });
  });

  it('falls back to bilinear along an axis that grows', () => {
    const img = rasterFromChannels(2, 4, [0, 100, 40, 140, 80, 180, 120, 220], 1);
    const out = resizeArea(img, 4, 2);
    // rows: area 4 -> 2 averages row pairs: [20, 120], [100, 200]; columns: bilinear 2 -> 4.
    const rows = [20, 120, 100, 200];
    expect(channel(out.data, 0)).toEqual(Array.from(torchBilinear(rows, 2, 2, 4, 2)).map((v) => Math.round(v)));
  });
});

describe('resizeMapNearest (PyTorch legacy nearest)', () => {
  for (const [inSize, outSize] of [
    [28, 7],
    [7, 28],
    [10, 4],
  ]) {
    it(`${inSize} -> ${outSize} picks floor(dst * in / out)`, () => {
      const row = Float32Array.from({ length: inSize }, (_, i) => i);
      const out = resizeMapNearest(row, inSize, 1, outSize, 1);
      expect(Array.from(out)).toEqual(Array.from({ length: outSize }, (_, d) => Math.floor((d * inSize) / outSize)));
      const col = resizeMapNearest(row, 1, inSize, 1, outSize);
      expect(Array.from(col)).toEqual(Array.from(out));
    });
  }

  it('10 -> 4 is [0, 2, 5, 7] and 2D maps index both axes', () => {
    expect(Array.from(resizeMapNearest(Float32Array.from({ length: 10 }, (_, i) => i), 10, 1, 4, 1))).toEqual([0, 2, 5, 7]);
    const m = Float32Array.of(1, 2, 3, 4);
    expect(Array.from(resizeMapNearest(m, 2, 2, 4, 4))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
});

describe('centerCrop and resizeShortSideThenCrop', () => {
  it('crop offsets follow torchvision (round half to even)', () => {
    expect([centerOffset(257, 224), centerOffset(255, 224), centerOffset(258, 224), centerOffset(224, 224)]).toEqual([16, 16, 17, 0]);
  });

  it('centerCrop copies the centred window', () => {
    const w = 7;
    const h = 5;
    const img = rasterFromChannels(w, h, Array.from({ length: w * h }, (_, i) => i), 1);
    const out = centerCrop(img, 3, 2);
    // x offset round(2) = 2, y offset round(1.5) = 2
    expect(channel(out.data, 0)).toEqual([16, 17, 18, 23, 24, 25]);
    expect(() => centerCrop(img, 8, 2)).toThrow(InvalidInputError);
  });

  it('shortSideSize scales the short side to its target, truncating the other like torchvision Resize(int)', () => {
    expect(shortSideSize(500, 375, 224, 224)).toEqual([298, 224]);
    expect(shortSideSize(375, 500, 224, 224)).toEqual([224, 298]);
    expect(shortSideSize(640, 480, 200, 100)).toEqual([200, 150]);
  });

  it('equals bilinear resize to the short-side size, then centre crop', () => {
    const img = rasterFromChannels(50, 30, randomBytes(50 * 30 * 3, 9), 3);
    const out = resizeShortSideThenCrop(img, 24, 24);
    const [mw, mh] = shortSideSize(50, 30, 24, 24);
    expect([mw, mh]).toEqual([40, 24]);
    const ref = centerCrop(resizeBilinear(img, mw, mh), 24, 24);
    expect(Array.from(out.data)).toEqual(Array.from(ref.data));
  });
});
