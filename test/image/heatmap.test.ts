// Heatmaps, overlays and colorbars against hand-computed colours: each pixel must be the LUT entry of its
// normalised value, blends must be (1 - alpha) * base + alpha * colour, ticks must sit where their values are.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { niceTicks, renderColorbar, withColorbar } from '../../src/core/image/colorbar.js';
import { COOLWARM, VIRIDIS, colorAt } from '../../src/core/image/colormap.js';
import { overlayHeatmap, renderHeatmap } from '../../src/core/image/heatmap.js';
import { createRaster, rasterFromChannels } from '../../src/core/image/raster.js';
import { resizeMapBilinear } from '../../src/core/image/resize.js';

const lutAt = (lut: Uint8Array, i: number) => Array.from(lut.subarray(i * 3, i * 3 + 3));
const pixel = (data: Uint8ClampedArray, w: number, x: number, y: number) => Array.from(data.subarray((y * w + x) * 4, (y * w + x) * 4 + 4));

describe('renderHeatmap', () => {
  it('paints an unsigned map with viridis at its normalised values', () => {
    const img = renderHeatmap(Float32Array.of(0, 2, 4, 1), 2, 2, { percentile: 100 });
    expect([img.width, img.height]).toEqual([2, 2]);
    expect(pixel(img.data, 2, 0, 0)).toEqual([...lutAt(VIRIDIS.lut, 0), 255]);
    expect(pixel(img.data, 2, 1, 0)).toEqual([...lutAt(VIRIDIS.lut, 128), 255]);
    expect(pixel(img.data, 2, 0, 1)).toEqual([...lutAt(VIRIDIS.lut, 255), 255]);
    expect(pixel(img.data, 2, 1, 1)).toEqual([...lutAt(VIRIDIS.lut, 64), 255]);
  });

  it('switches to cool-warm when the map has a negative value: -max blue, 0 white, +max red', () => {
    const img = renderHeatmap(Float32Array.of(-3, 0, 3), 3, 1);
    expect(pixel(img.data, 3, 0, 0)).toEqual([59, 76, 192, 255]);
    expect(pixel(img.data, 3, 1, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(img.data, 3, 2, 0)).toEqual([180, 4, 38, 255]);
  });

  it('honours an explicit signed flag either way', () => {
    const unsigned = renderHeatmap(Float32Array.of(-3, 0, 3), 3, 1, { signed: false, percentile: 100 });
    expect(pixel(unsigned.data, 3, 0, 0)).toEqual([...lutAt(VIRIDIS.lut, 0), 255]);
    const signed = renderHeatmap(Float32Array.of(0, 1), 2, 1, { signed: true });
    expect(pixel(signed.data, 2, 0, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(signed.data, 2, 1, 0)).toEqual([...lutAt(COOLWARM.lut, 256), 255]);
  });

  it('rejects a map whose length does not match', () => {
    expect(() => renderHeatmap(new Float32Array(5), 2, 2)).toThrow(InvalidInputError);
  });
});

describe('overlayHeatmap', () => {
  it('blends (1 - alpha) * base + alpha * colour', () => {
    const base = rasterFromChannels(2, 1, [100, 100, 100, 10, 20, 30], 3);
    const out = overlayHeatmap(base, Float32Array.of(1), 1, 1, { alpha: 0.25 });
    // map resized to 2x1 is 1 everywhere -> #fde725
    const mix = (b: number, c: number) => Math.round(0.75 * b + 0.25 * c);
    expect(pixel(out.data, 2, 0, 0)).toEqual([mix(100, 253), mix(100, 231), mix(100, 37), 255]);
    expect(pixel(out.data, 2, 1, 0)).toEqual([mix(10, 253), mix(20, 231), mix(30, 37), 255]);
  });

  it('resizes the normalised map bilinearly to the base size before colouring', () => {
    const base = createRaster(4, 4);
    const map = Float32Array.of(0, 1, 2, 4);
    const out = overlayHeatmap(base, map, 2, 2, { alpha: 1, percentile: 100 });
    const up = resizeMapBilinear(Float32Array.from(map, (v) => v / 4), 2, 2, 4, 4);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(pixel(out.data, 4, x, y)).toEqual([...colorAt(VIRIDIS, up[y * 4 + x]), 255]);
  });

  it('alpha 0 gives the base back and bad alpha is refused', () => {
    const base = rasterFromChannels(1, 1, [1, 2, 3], 3);
    expect(pixel(overlayHeatmap(base, Float32Array.of(5), 1, 1, { alpha: 0 }).data, 1, 0, 0)).toEqual([1, 2, 3, 255]);
    expect(() => overlayHeatmap(base, Float32Array.of(5), 1, 1, { alpha: 1.5 })).toThrow(/alpha is 1.5; allowed: 0 to 1/);
  });
});

describe('colorbar', () => {
  it('niceTicks picks 1-2-5 steps inside the range', () => {
    expect(niceTicks(-1, 1, 5)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0.037, 5)).toEqual([0, 0.01, 0.02, 0.03]);
    expect(niceTicks(-0.8, 0.8, 5)).toEqual([-0.5, 0, 0.5]);
    expect(niceTicks(-250, 1000, 5)).toEqual([0, 500, 1000]);
    expect(niceTicks(-250, 1000, 10)).toEqual([-200, 0, 200, 400, 600, 800, 1000]);
  });

  it('vertical signed bar: red on top, white at 0, blue at the bottom; ticks at their rows', () => {
    const bar = renderColorbar({ width: 3, height: 257, signed: true });
    expect(pixel(bar.image.data, 3, 0, 0)).toEqual([180, 4, 38, 255]);
    expect(pixel(bar.image.data, 3, 2, 128)).toEqual([255, 255, 255, 255]);
    expect(pixel(bar.image.data, 3, 1, 256)).toEqual([59, 76, 192, 255]);
    expect(bar.ticks).toEqual([
      { value: -1, position: 256 },
      { value: -0.5, position: 192 },
      { value: 0, position: 128 },
      { value: 0.5, position: 64 },
      { value: 1, position: 0 },
    ]);
  });

  it('keeps white at 0 for an asymmetric signed range', () => {
    const bar = renderColorbar({ width: 1, height: 301, signed: true, min: -1, max: 2 });
    // value at row r is 2 - 3 r / 300: 0 at row 200; -1 maps to t = 0.25.
    expect(pixel(bar.image.data, 1, 0, 200)).toEqual([255, 255, 255, 255]);
    expect(pixel(bar.image.data, 1, 0, 300)).toEqual([...colorAt(COOLWARM, 0.25), 255]);
  });

  it('horizontal unsigned bar: viridis left to right, ticks at value / max * (width - 1)', () => {
    const bar = renderColorbar({ width: 256, height: 2, orientation: 'horizontal', min: 0, max: 5 });
    for (const x of [0, 100, 255]) expect(pixel(bar.image.data, 256, x, 1)).toEqual([...lutAt(VIRIDIS.lut, x), 255]);
    expect(bar.ticks.map((t) => t.value)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(bar.ticks[1].position).toBeCloseTo(51, 12);
  });

  it('rejects bad ranges and sizes', () => {
    expect(() => renderColorbar({ width: 4, height: 10, min: 1, max: 1 })).toThrow(/min < max/);
    expect(() => renderColorbar({ width: 4, height: 1 })).toThrow(/at least 2 pixels/);
  });

  it('withColorbar puts a vertical bar to the right, centred, on a white background', () => {
    const img = rasterFromChannels(10, 6, Array.from({ length: 60 }, (_, i) => i), 1);
    const bar = renderColorbar({ width: 4, height: 10 });
    const out = withColorbar(img, bar, { margin: 2 });
    expect([out.width, out.height, out.barX, out.barY]).toEqual([16, 10, 12, 0]);
    expect(pixel(out.data, 16, 0, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(out.data, 16, 0, 2)).toEqual([0, 0, 0, 255]);
    expect(pixel(out.data, 16, 9, 7)).toEqual([59, 59, 59, 255]);
    expect(pixel(out.data, 16, 11, 5)).toEqual([255, 255, 255, 255]);
    expect(pixel(out.data, 16, 12, 0)).toEqual(pixel(bar.image.data, 4, 0, 0));
    expect(pixel(out.data, 16, 15, 9)).toEqual(pixel(bar.image.data, 4, 3, 9));
  });

  it('withColorbar puts a horizontal bar below', () => {
    const img = createRaster(4, 3);
    const bar = renderColorbar({ width: 8, height: 2, orientation: 'horizontal' });
    const out = withColorbar(img, bar);
    expect([out.width, out.height, out.barX, out.barY]).toEqual([8, 13, 0, 11]);
    expect(pixel(out.data, 8, 2, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(out.data, 8, 7, 12)).toEqual(pixel(bar.image.data, 8, 7, 1));
  });
});
