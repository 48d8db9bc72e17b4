// imageToTensor / tensorToImage against hand-computed values: ToTensor + Normalize arithmetic, BT.601 luma,
// channel orders, resize modes, and the inverse giving the original bytes back.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import type { Preprocessing } from '../../src/core/models/manifest.js';
import { imageToTensor, tensorToImage } from '../../src/core/image/preprocess.js';
import { rasterFromChannels } from '../../src/core/image/raster.js';
import { resizeArea, resizeMapBilinear, resizeShortSideThenCrop } from '../../src/core/image/resize.js';
import { expectAllClose } from '../helpers/close.js';
import { randomBytes } from './fixtures.js';

const IMAGENET: Preprocessing = {
  size: [2, 2],
  resize: 'bilinear',
  channels: 'rgb',
  scale: 1,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

describe('imageToTensor', () => {
  it('computes (byte / 255 * scale - mean[c]) / std[c] per channel, NCHW', () => {
    const px = [10, 20, 30, 255, 40, 50, 60, 255, 70, 80, 90, 255, 100, 110, 120, 255];
    const img = rasterFromChannels(2, 2, px, 4);
    const t = imageToTensor(img, IMAGENET);
    expect(t.shape).toEqual([1, 3, 2, 2]);
    const expected: number[] = [];
    for (let c = 0; c < 3; c++) for (let i = 0; i < 4; i++) expected.push((px[i * 4 + c] / 255 - IMAGENET.mean[c]) / IMAGENET.std[c]);
    expectAllClose(t.data, expected, { atol: 1e-6, rtol: 1e-6 });
  });

  it('bgr reverses the channel planes; scale 255 with a single mean/std applies to all channels', () => {
    const img = rasterFromChannels(1, 1, [10, 20, 30], 3);
    const p: Preprocessing = { size: [1, 1], resize: 'bilinear', channels: 'bgr', scale: 255, mean: [100], std: [2] };
    expectAllClose(imageToTensor(img, p).data, [(30 - 100) / 2, (20 - 100) / 2, (10 - 100) / 2]);
  });

  it('gray from colour is BT.601 luma 0.299 R + 0.587 G + 0.114 B, unrounded', () => {
    const img = rasterFromChannels(3, 1, [255, 0, 0, 0, 255, 0, 10, 20, 30], 3);
    const p: Preprocessing = { size: [1, 3], resize: 'bilinear', channels: 'gray', scale: 255, mean: [0], std: [1] };
    const t = imageToTensor(img, p);
    expect(t.shape).toEqual([1, 1, 1, 3]);
    expectAllClose(t.data, [76.245, 149.685, 0.299 * 10 + 0.587 * 20 + 0.114 * 30], { atol: 1e-4, rtol: 0 });
  });

  it('gray from a gray source is the value itself (MNIST-style normalisation)', () => {
    const v = Array.from(randomBytes(28 * 28, 11));
    const img = rasterFromChannels(28, 28, v, 1);
    const p: Preprocessing = { size: [28, 28], resize: 'bilinear', channels: 'gray', scale: 1, mean: [0.1307], std: [0.3081] };
    expectAllClose(imageToTensor(img, p).data, v.map((x) => (x / 255 - 0.1307) / 0.3081), { atol: 1e-6, rtol: 1e-6 });
  });

  it('ignores alpha: a transparent pixel counts with its stored colour', () => {
    const img = rasterFromChannels(1, 1, [200, 100, 50, 0], 4);
    const p: Preprocessing = { size: [1, 1], resize: 'bilinear', channels: 'rgb', scale: 255, mean: [0], std: [1] };
    expectAllClose(imageToTensor(img, p).data, [200, 100, 50]);
  });

  it('resizes unrounded: bilinear equals resizeMapBilinear of each channel', () => {
    const img = rasterFromChannels(5, 3, randomBytes(5 * 3 * 3, 12), 3);
    const p: Preprocessing = { size: [7, 9], resize: 'bilinear', channels: 'rgb', scale: 255, mean: [0], std: [1] };
    const t = imageToTensor(img, p);
    for (let c = 0; c < 3; c++) {
      const plane = Float32Array.from({ length: 15 }, (_, i) => img.data[i * 4 + c]);
      expectAllClose(t.data.subarray(c * 63, (c + 1) * 63), resizeMapBilinear(plane, 5, 3, 9, 7), { atol: 1e-4, rtol: 0 });
    }
  });

  it("'area' and 'resize-crop' agree with resizeArea and resizeShortSideThenCrop (to byte rounding)", () => {
    const img = rasterFromChannels(30, 20, randomBytes(30 * 20 * 3, 13), 3);
    for (const [mode, fn] of [
      ['area', resizeArea],
      ['resize-crop', resizeShortSideThenCrop],
    ] as const) {
      const p: Preprocessing = { size: [8, 10], resize: mode, channels: 'rgb', scale: 255, mean: [0], std: [1] };
      const t = imageToTensor(img, p);
      const ref = fn(img, 10, 8);
      const refPlanes: number[] = [];
      for (let c = 0; c < 3; c++) for (let i = 0; i < 80; i++) refPlanes.push(ref.data[i * 4 + c]);
      expectAllClose(t.data, refPlanes, { atol: 0.5 + 1e-4, rtol: 0 });
    }
  });

  it('rejects mean/std of the wrong length, naming the field', () => {
    const img = rasterFromChannels(1, 1, [1, 2, 3], 3);
    const p: Preprocessing = { ...IMAGENET, mean: [0.5, 0.5] };
    expect(() => imageToTensor(img, p)).toThrow(InvalidInputError);
    expect(() => imageToTensor(img, p)).toThrow(/preprocessing\.mean has 2 values; give 1 or 3/);
  });
});

describe('tensorToImage', () => {
  it('inverts imageToTensor exactly for rgb, bgr and gray', () => {
    const rgb = rasterFromChannels(4, 3, randomBytes(4 * 3 * 3, 14), 3);
    for (const channels of ['rgb', 'bgr'] as const) {
      const p: Preprocessing = { ...IMAGENET, size: [3, 4], channels };
      const back = tensorToImage(imageToTensor(rgb, p), p);
      expect([back.width, back.height, back.sourceChannels]).toEqual([4, 3, 3]);
      expect(Array.from(back.data)).toEqual(Array.from(rgb.data));
    }
    const gray = rasterFromChannels(4, 3, randomBytes(12, 15), 1);
    const pg: Preprocessing = { size: [3, 4], resize: 'bilinear', channels: 'gray', scale: 1, mean: [0.1307], std: [0.3081] };
    const backG = tensorToImage(imageToTensor(gray, pg), pg);
    expect(backG.sourceChannels).toBe(1);
    expect(Array.from(backG.data)).toEqual(Array.from(gray.data));
  });

  it('clamps out-of-range values and accepts [C, H, W]', () => {
    const p: Preprocessing = { size: [1, 2], resize: 'bilinear', channels: 'gray', scale: 1, mean: [0], std: [1] };
    const img = tensorToImage({ data: Float32Array.of(-3, 7), shape: [1, 1, 2] }, p);
    expect(Array.from(img.data)).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
    expect(() => tensorToImage({ data: new Float32Array(6), shape: [1, 3, 1, 2] }, p)).toThrow(/not \[1, 1, H, W\]/);
  });
});
