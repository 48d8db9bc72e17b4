// Colormaps and normalisation against published values: matplotlib's viridis hex colours, Moreland's
// CoolWarmFloat33 table (via matplotlib's _coolwarm_data) for the Msh construction, numpy percentiles.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import {
  COOLWARM,
  VIRIDIS,
  colorAt,
  colormapIndex,
  normalizationScale,
  normalizeSigned,
  normalizeUnsigned,
  percentile,
} from '../../src/core/image/colormap.js';
import { divergingLut, srgbToLab } from '../../src/core/image/diverging.js';
import { VIRIDIS_DATA } from '../../src/core/image/viridis-data.js';
import { expectAllClose } from '../helpers/close.js';

const hex = (s: string) => [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16));
const lutAt = (lut: Uint8Array, i: number) => Array.from(lut.subarray(i * 3, i * 3 + 3));

// Moreland, CoolWarmFloat33.csv, as matplotlib's _coolwarm_data (red, green, blue at x = i / 32).
const COOLWARM33 = {
  r: [0.2298057, 0.26623388, 0.30386891, 0.342804478, 0.38301334, 0.424369608, 0.46666708, 0.509635204, 0.552953156, 0.596262162, 0.639176211, 0.681291281, 0.722193294, 0.761464949, 0.798691636, 0.833466556, 0.865395197, 0.897787179, 0.924127593, 0.944468518, 0.958852946, 0.96732803, 0.969954137, 0.966811177, 0.958003065, 0.943660866, 0.923944917, 0.89904617, 0.869186849, 0.834620542, 0.795631745, 0.752534934, 0.705673158],
  g: [0.298717966, 0.353094838, 0.406535296, 0.458757618, 0.50941904, 0.558148092, 0.604562568, 0.648280772, 0.688929332, 0.726149107, 0.759599947, 0.788964712, 0.813952739, 0.834302879, 0.849786142, 0.860207984, 0.86541021, 0.848937047, 0.827384882, 0.800927443, 0.769767752, 0.734132809, 0.694266682, 0.650421156, 0.602842431, 0.551750968, 0.49730856, 0.439559467, 0.378313092, 0.312874446, 0.24128379, 0.157246067, 0.01555616],
  b: [0.753683153, 0.801466763, 0.84495867, 0.883725899, 0.917387822, 0.945619588, 0.968154911, 0.98478814, 0.995375608, 0.999836203, 0.998151185, 0.990363227, 0.976574709, 0.956945269, 0.931688648, 0.901068838, 0.865395561, 0.820880546, 0.774508472, 0.726736146, 0.678007945, 0.628751763, 0.579375448, 0.530263762, 0.481775914, 0.434243684, 0.387970225, 0.343229596, 0.300267182, 0.259301199, 0.220525627, 0.184115123, 0.150232812],
};

describe('VIRIDIS', () => {
  it("matches matplotlib's viridis at 0, 64, 128, 192, 255 (#440154, #3b528b, #21918c, #5ec962, #fde725)", () => {
    expect(VIRIDIS.size).toBe(256);
    const at = [0, 64, 128, 192, 255].map((i) => lutAt(VIRIDIS.lut, i));
    expect(at).toEqual(['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'].map(hex));
    expect(colorAt(VIRIDIS, 0)).toEqual(hex('#440154'));
    expect(colorAt(VIRIDIS, 1)).toEqual(hex('#fde725'));
  });

  it("is perceptually ordered: CIELAB lightness of matplotlib's floats rises strictly, by over 70", () => {
    const L = (i: number) => srgbToLab(VIRIDIS_DATA.slice(i * 3, i * 3 + 3) as unknown as [number, number, number])[0];
    for (let i = 1; i < 256; i++) expect(L(i)).toBeGreaterThan(L(i - 1));
    expect(L(255) - L(0)).toBeGreaterThan(70);
  });

  it('bytes are round(v * 255) of the float table', () => {
    expect(Array.from(VIRIDIS.lut)).toEqual(VIRIDIS_DATA.map((v) => Math.round(v * 255)));
  });
});

describe('COOLWARM (Moreland Msh, white midpoint)', () => {
  it("reproduces Moreland's CoolWarmFloat33 table within 1/255 with his midpoint M = 88", () => {
    const lut = divergingLut([59 / 255, 76 / 255, 192 / 255], [180 / 255, 4 / 255, 38 / 255], 33, 88);
    const expected = COOLWARM33.r.flatMap((_, i) => [COOLWARM33.r[i], COOLWARM33.g[i], COOLWARM33.b[i]].map((v) => v * 255));
    expectAllClose(lut, expected, { atol: 1, rtol: 0 });
  });

  it("has Moreland's ends, pure white exactly in the middle (index 128 of 257), and lightness peaking there", () => {
    expect(COOLWARM.size).toBe(257);
    expect(lutAt(COOLWARM.lut, 0)).toEqual([59, 76, 192]);
    expect(lutAt(COOLWARM.lut, 256)).toEqual([180, 4, 38]);
    expect(lutAt(COOLWARM.lut, 128)).toEqual([255, 255, 255]);
    expect(colorAt(COOLWARM, 0.5)).toEqual([255, 255, 255]);
    const L = (i: number) => srgbToLab(lutAt(COOLWARM.lut, i).map((v) => v / 255) as [number, number, number])[0];
    for (let i = 1; i <= 128; i++) expect(L(i)).toBeGreaterThanOrEqual(L(i - 1));
    for (let i = 129; i <= 256; i++) expect(L(i)).toBeLessThanOrEqual(L(i - 1));
  });

  it('colormapIndex follows matplotlib: floor(t * n), clamped, NaN to 0', () => {
    expect([0, 0.5, 0.999, 1, 1.5, -1, NaN].map((t) => colormapIndex(t, 257))).toEqual([0, 128, 256, 256, 256, 0, 0]);
    expect([0.25, 0.5, 1].map((t) => colormapIndex(t, 256))).toEqual([64, 128, 255]);
  });
});

describe('percentile (numpy linear interpolation)', () => {
  it('gives numpy.percentile values', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile(Array.from({ length: 11 }, (_, i) => i), 99.5)).toBeCloseTo(9.95, 12);
    expect(percentile([0, 0, 0, 10], 99.5)).toBeCloseTo(9.85, 12);
    expect(percentile([4, -1, 7], 100)).toBe(7);
    expect(percentile([4, -1, 7], 0)).toBe(-1);
    expect(() => percentile([1], 101)).toThrow(InvalidInputError);
  });
});

describe('normalizeUnsigned', () => {
  it('divides by the max at percentile 100, clamping negatives to 0', () => {
    expectAllClose(normalizeUnsigned(Float32Array.of(0, 2, 4, -3), { percentile: 100 }), [0, 0.5, 1, 0]);
  });

  it('by default scales by the 99.5th percentile, so one outlier does not darken the rest', () => {
    const map = Float32Array.from({ length: 1000 }, (_, i) => i / 999);
    map[999] = 1e6;
    const scale = normalizationScale(map, { signed: false });
    expect(scale).toBeCloseTo(percentile(map, 99.5), 9);
    expect(scale).toBeLessThan(1.01);
    const n = normalizeUnsigned(map);
    expect(n[999]).toBe(1);
    expect(n[500]).toBeCloseTo(500 / 999 / scale, 6);
  });

  it('keeps a sparse map visible: a 0 percentile falls back to the max', () => {
    const map = new Float32Array(10000);
    map[42] = 3;
    const n = normalizeUnsigned(map);
    expect(n[42]).toBe(1);
    expect(n.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('turns an all-zero map into zeros, never NaN', () => {
    expect(Array.from(normalizeUnsigned(new Float32Array(5)))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(normalizeUnsigned(Float32Array.of(-1, -2)))).toEqual([0, 0]);
  });

  it('rejects non-finite values, naming the index', () => {
    expect(() => normalizeUnsigned(Float32Array.of(1, NaN))).toThrow(/index 1 is NaN/);
  });
});

describe('normalizeSigned', () => {
  it('divides by max |v|, keeping 0 at 0', () => {
    expectAllClose(normalizeSigned(Float32Array.of(-2, 1, 4, 0)), [-0.5, 0.25, 1, 0]);
  });

  it('is symmetric: negating the map negates the result', () => {
    const map = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i) * (i - 20));
    const a = normalizeSigned(map);
    const b = normalizeSigned(map.map((v) => -v));
    expectAllClose(b, Array.from(a, (v) => -v), { atol: 0, rtol: 0 });
    expect(Math.max(...Array.from(a, Math.abs))).toBe(1);
  });

  it('turns an all-zero map into zeros, never NaN', () => {
    expect(Array.from(normalizeSigned(new Float32Array(3)))).toEqual([0, 0, 0]);
  });
});
