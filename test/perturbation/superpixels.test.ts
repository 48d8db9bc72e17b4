// Superpixels: labels are contiguous 0..count-1, each label is one 4-connected region, SLIC gets near the
// requested count, quickshift and SLIC follow colour edges (a two-colour image splits along its edge), and the
// optimised quickshift and SLIC give exactly the labels of their dense references (superpixels-reference.ts).
import { describe, expect, it } from 'vitest';
import { fdlibmExp } from '../../src/core/perturbation/exp.js';
import type { LoadedModel } from '../../src/core/models/loaded-model.js';
import type { Tensor } from '../../src/core/tensor.js';
import { toLab, unnormalise } from '../../src/core/perturbation/superpixels/color.js';
import { gridSuperpixels, superpixels } from '../../src/core/perturbation/superpixels/index.js';
import { quickshift } from '../../src/core/perturbation/superpixels/quickshift.js';
import { slic } from '../../src/core/perturbation/superpixels/slic.js';
import { quickshiftDense, slicDense } from './superpixels-reference.js';
import { resolveParams } from '../../src/core/params.js';
import { limeMethod } from '../../src/explainers/lime.js';
import { segmentationCacheStats } from '../../src/core/perturbation/coalitions.js';
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

describe('optimised segmentations reproduce the dense references label for label', () => {
  // Colour and gray images: photos, noise, a smooth synthetic 224 x 224 pattern (the benchmark's input), a
  // two-colour image and a constant one (density ties everywhere, broken only by the deterministic noise).
  const rgb = (data: Float32Array, s: number) => ({ data, shape: [1, 3, s, s] });
  const gray = (data: Float32Array, s: number) => ({ data, shape: [1, 1, s, s] });
  const preRgb = manifestFor('x', [3, 32, 32], 10).preprocessing;
  const preGray = manifestFor('x', [1, 28, 28], 10).preprocessing;
  const twoColour = new Float32Array(3 * 48 * 48);
  for (let i = 0; i < 48 * 48; i++) for (let c = 0; c < 3; c++) twoColour[c * 48 * 48 + i] = (i % 48) + Math.floor(i / 48) < 40 ? c - 1 : 1.5 - c;
  const images: [string, Tensor, typeof preRgb][] = [
    ['astronaut_32', referenceInput('tinycnn', 'astronaut_32'), preRgb],
    ['astronaut_64', referenceInput('vgglike', 'astronaut_64'), preRgb],
    ['rand64_0', referenceInput('vgglike', 'rand64_0'), preRgb],
    ['fmnist_00000', referenceInput('fmnist_cnn', 'fmnist_test_00000'), preGray],
    ['fmnist_00007', referenceInput('fmnist_cnn', 'fmnist_test_00007'), preGray],
    ['synthetic_224', rgb(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.001) + Math.cos(i * 0.0173)), 224), preRgb],
    ['two_colour_48', rgb(twoColour, 48), preRgb],
    ['constant_40', gray(new Float32Array(40 * 40).fill(0.3), 40), preGray],
  ];
  const same = (a: { labels: Int32Array; count: number }, b: { labels: Int32Array; count: number }) => {
    expect(a.count).toBe(b.count);
    expect(a.labels.every((v, i) => v === b.labels[i])).toBe(true);
  };

  for (const [name, x, pre] of images) {
    it(`quickshift, ${name}`, () => {
      const [, , h, w] = x.shape;
      const planes = toLab(unnormalise(x, pre));
      const settings = h >= 224 ? [{ kernelSize: 4, maxDist: 200, ratio: 0.2 }] : [{ kernelSize: 4, maxDist: 200, ratio: 0.2 }, { kernelSize: 2, maxDist: 10, ratio: 0.2 }, { kernelSize: 1.5, maxDist: 6, ratio: 0.5 }];
      for (const o of settings) same(quickshift(planes, h, w, o), quickshiftDense(planes, h, w, o));
    });
    it(`slic, ${name}`, () => {
      const [, , h, w] = x.shape;
      const planes = toLab(unnormalise(x, pre));
      for (const segments of [7, 50, 200]) for (const compactness of [0.5, 10, 80]) same(slic(planes, h, w, { segments, compactness }), slicDense(planes, h, w, { segments, compactness }));
    });
  }
});

describe('fdlibmExp', () => {
  it('is Math.exp bit for bit (V8 runs fdlibm), over the ranges the engine uses and the edge cases', () => {
    const xs: number[] = [0, -0, 1, -1, 0.5, Infinity, -Infinity, Number.NaN, 709.78, 709.79, -745.13, -745.14, -708.5, 2 ** -28, -(2 ** -29), Math.LN2 / 2, -1.5 * Math.LN2];
    let u = 12345;
    const rand = () => ((u = (Math.imul(u, 1664525) + 1013904223) >>> 0) / 4294967296);
    for (let i = 0; i < 200_000; i++) xs.push(-rand() * 60, (rand() - 0.5) * 3, (rand() - 0.5) * 1500, -(Math.floor(rand() * 300) + rand() * 900) / 32);
    for (const x of xs) if (!Object.is(fdlibmExp(x), Math.exp(x))) throw new Error(`fdlibmExp(${x}) = ${fdlibmExp(x)}, Math.exp = ${Math.exp(x)}`);
  });
});

describe('plan-time segmentation cache', () => {
  it('reuses a segmentation only for the same input bits and settings', async () => {
    const model = { manifest: manifestFor('x', [3, 32, 32], 10) } as unknown as LoadedModel;
    const plan = async (x: Tensor, raw: Record<string, unknown>) => {
      const params = resolveParams(limeMethod.params, raw);
      const p = await limeMethod.plan({ model, input: x, target: 0, params, seed: 0, forward: async () => new Float32Array(10) });
      return (p.shared as { superpixels: string }).superpixels;
    };
    const fresh = (x: Tensor, raw: Record<string, unknown>) => superpixels(x, model.manifest.preprocessing, resolveParams(limeMethod.params, raw)).labels;
    const decode = (s: string) => Array.from(new Uint16Array(Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0)).buffer));
    const a = referenceInput('tinycnn', 'astronaut_32');
    const b = { data: new Float32Array(a.data), shape: a.shape };
    for (let i = 0; i < 300; i++) b.data[i] = -b.data[i];
    const settings = { segmentation: 'slic', segments: 20 };
    const stats = () => ({ ...segmentationCacheStats });
    const s0 = stats();
    const first = await plan(a, settings);
    expect(decode(await plan(b, settings))).toEqual(Array.from(fresh(b, settings)));
    expect(decode(await plan(b, settings))).not.toEqual(decode(first));
    expect(stats()).toEqual({ hits: s0.hits + 1, misses: s0.misses + 2 });
    expect(await plan(a, settings)).toBe(first);
    expect(stats()).toEqual({ hits: s0.hits + 2, misses: s0.misses + 2 });
    const other = { segmentation: 'slic', segments: 40 };
    expect(decode(await plan(a, other))).toEqual(Array.from(fresh(a, other)));
    expect(stats()).toEqual({ hits: s0.hits + 2, misses: s0.misses + 3 });
  });
});
