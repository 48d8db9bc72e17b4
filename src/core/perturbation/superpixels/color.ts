/**
 * Pixels for segmentation: undo the model's normalisation to get [0,1] colours, and convert sRGB to CIELAB
 * (D65), the space SLIC and quickshift measure colour distance in (as skimage does).
 */
import type { Preprocessing } from '../../models/manifest.js';
import type { Tensor } from '../../tensor.js';

/** [0,1] channel planes (R,G,B or gray) from a preprocessed tensor: x * std + mean, divided by scale. */
export function unnormalise(input: Tensor, pre: Preprocessing): Float32Array[] {
  const [, c, h, w] = input.shape;
  const hw = h * w;
  const planes: Float32Array[] = [];
  for (let ch = 0; ch < c; ch++) {
    const mean = pre.mean.length === 1 ? pre.mean[0] : pre.mean[ch];
    const std = pre.std.length === 1 ? pre.std[0] : pre.std[ch];
    const p = new Float32Array(hw);
    for (let i = 0; i < hw; i++) p[i] = Math.min(1, Math.max(0, (input.data[ch * hw + i] * std + mean) / pre.scale));
    planes.push(p);
  }
  if (pre.channels === 'bgr') planes.reverse();
  return planes;
}

function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

function labF(t: number): number {
  return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116;
}

/** CIELAB planes (L in 0..100) from [0,1] RGB planes; a single gray plane becomes L only. */
export function toLab(planes: Float32Array[]): Float32Array[] {
  if (planes.length === 1) {
    const L = new Float32Array(planes[0].length);
    for (let i = 0; i < L.length; i++) L[i] = 116 * labF(srgbToLinear(planes[0][i])) - 16;
    return [L];
  }
  const [r, g, b] = planes;
  const n = r.length;
  const L = new Float32Array(n);
  const A = new Float32Array(n);
  const B = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const R = srgbToLinear(r[i]);
    const G = srgbToLinear(g[i]);
    const Bl = srgbToLinear(b[i]);
    const x = (0.412453 * R + 0.35758 * G + 0.180423 * Bl) / 0.95047;
    const y = 0.212671 * R + 0.71516 * G + 0.072169 * Bl;
    const z = (0.019334 * R + 0.119193 * G + 0.950227 * Bl) / 1.08883;
    const fx = labF(x);
    const fy = labF(y);
    const fz = labF(z);
    L[i] = y > 0.008856 ? 116 * fy - 16 : 903.3 * y;
    A[i] = 500 * (fx - fy);
    B[i] = 200 * (fy - fz);
  }
  return [L, A, B];
}
