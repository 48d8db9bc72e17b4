// Superpixels: labels are contiguous 0..count-1, each label is one 4-connected region, SLIC gets near the
// requested count, quickshift and SLIC follow colour edges (a two-colour image splits along its edge).
import { describe, expect, it } from 'vitest';
import { gridSuperpixels, superpixels } from '../../src/core/perturbation/superpixels/index.js';
import { resolveParams } from '../../src/core/params.js';
import { limeMethod } from '../../src/explainers/lime.js';
import { manifestFor, referenceInput } from './helpers.js';

function checkLabels(labels: Int32Array, count: number, h: number, w: number): void {
  const seen = new Set<number>(labels);
  expect(seen.size).toBe(count);
  expect(Math.min(...seen)).toBe(0);
  expect(Math.max(...seen)).toBe(count - 1);
  // Connectivity: flood each label from its first pixel and count.
  const size = new Map<number, number>();
  for (const l of labels) size.set(l, (size.get(l) ?? 0) + 1);
  const visited = new Uint8Array(h * w);
  for (let s = 0; s < h * w; s++) {
    if (visited[s]) continue;
    const l = labels[s];
    const stack = [s];
    visited[s] = 1;
    let n = 0;
    while (stack.length) {
      const p = stack.pop()!;
      n++;
      const y = Math.floor(p / w);
      const x = p % w;
      for (const q of [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1]) {
        if (q >= 0 && !visited[q] && labels[q] === l) {
          visited[q] = 1;
          stack.push(q);
        }
      }
    }
    expect(n, `label ${l} is not connected`).toBe(size.get(l));
  }
}

describe('superpixels', () => {
  const pre = manifestFor('x', [3, 32, 32], 10).preprocessing;
  const input = referenceInput('tinycnn', 'astronaut_32');

  for (const segmentation of ['slic', 'quickshift', 'grid'] as const) {
    it(`${segmentation}: contiguous, connected labels`, () => {
      const params = resolveParams(limeMethod.params, { segmentation, segments: 25 });
      const sp = superpixels(input, pre, params);
      // Quickshift with lime's defaults (kernel 4, window 25 px) finds only a few modes in a 32 x 32 image.
      expect(sp.count).toBeGreaterThanOrEqual(segmentation === 'quickshift' ? 1 : 12);
      if (segmentation !== 'quickshift') expect(sp.count).toBeGreaterThanOrEqual(12);
      if (segmentation !== 'quickshift') expect(sp.count).toBeLessThanOrEqual(40);
      checkLabels(sp.labels, sp.count, 32, 32);
    });
  }

  it('slic and quickshift split a two-colour image along its edge', () => {
    // Left third red, the rest blue (in normalised units).
    const data = new Float32Array(3 * 32 * 32);
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) {
      const rgb = x < 11 ? [0.9, 0.1, 0.1] : [0.1, 0.2, 0.9];
      for (let c = 0; c < 3; c++) data[c * 1024 + y * 32 + x] = (rgb[c] - mean[c]) / std[c];
    }
    for (const segmentation of ['slic', 'quickshift'] as const) {
      // maxDist 10 (< the 0.2-scaled Lab distance of the two colours): no link crosses the edge.
      const sp = superpixels({ data, shape: [1, 3, 32, 32] }, pre, resolveParams(limeMethod.params, { segmentation, segments: 16, maxDist: 10, kernelSize: 2 }));
      expect(sp.count).toBeGreaterThanOrEqual(2);
      for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) {
        const l = sp.labels[y * 32 + x];
        // No superpixel straddles the colour edge.
        expect(sp.labels.some((m, i) => m === l && (i % 32 < 11) !== (x < 11))).toBe(false);
      }
    }
  });

  it('grid has the requested layout', () => {
    const g = gridSuperpixels(16, 16, 16);
    expect(g.count).toBe(16);
    expect(g.labels[0]).toBe(0);
    expect(g.labels[15]).toBe(3);
    expect(g.labels[255]).toBe(15);
  });
});

describe('segmentation auto', () => {
  it('uses SLIC below 64 px (quickshift finds one segment on a 28x28 Fashion-MNIST image) and quickshift above', async () => {
    const { superpixels } = await import('../../src/core/perturbation/superpixels/index.js');
    const { decodeImage, imageToTensor, resizeBilinear } = await import('../../src/core/image/index.js');
    const { readFileSync } = await import('node:fs');
    const img = decodeImage(new Uint8Array(readFileSync(new URL('../../models/samples/fmnist/fmnist_test_00000_ankle-boot.png', import.meta.url))));
    const pre = { size: [28, 28] as [number, number], resize: 'bilinear' as const, channels: 'gray' as const, scale: 1, mean: [0], std: [1] };
    const x = imageToTensor(img, pre);
    const defaults = { segments: 50, compactness: 10, kernelSize: 4, maxDist: 200, ratio: 0.2 };
    const quick = superpixels(x, pre, { ...defaults, segmentation: 'quickshift' });
    const auto = superpixels(x, pre, { ...defaults, segmentation: 'auto' });
    const slic = superpixels(x, pre, { ...defaults, segmentation: 'slic' });
    expect(quick.count).toBeLessThanOrEqual(2);
    expect(auto.count).toBe(slic.count);
    expect(Array.from(auto.labels)).toEqual(Array.from(slic.labels));
    expect(auto.count).toBeGreaterThan(10);
    const pre96 = { ...pre, size: [96, 96] as [number, number] };
    const big = imageToTensor(resizeBilinear(img, 96, 96), pre96);
    const autoBig = superpixels(big, pre96, { ...defaults, segmentation: 'auto' });
    const quickBig = superpixels(big, pre96, { ...defaults, segmentation: 'quickshift' });
    expect(Array.from(autoBig.labels)).toEqual(Array.from(quickBig.labels));
  });
});
