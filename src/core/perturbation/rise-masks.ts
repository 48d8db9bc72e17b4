/**
 * RISE masks (Petsiuk et al. 2018, "RISE: Randomized Input Sampling for Explanation of Black-box Models"):
 * a random s x s binary grid (each cell kept with probability p), bilinearly upsampled to (s+1) * cell where
 * cell = ceil(size / s), then cropped at a random shift in [0, cell). Bilinear as skimage.transform.resize
 * (order 1, half-pixel centres, edge values held, as its 'reflect' mode gives for a 2-tap filter).
 * Mask i is a pure function of (seed, i); tables are built once per image size, so a mask costs about
 * s*W + 3*H*W flops.
 */
import { SampleRng } from './prng.js';

export interface RiseTables {
  readonly h: number;
  readonly w: number;
  readonly s: number;
  readonly p: number;
  readonly cellH: number;
  readonly cellW: number;
  /** For every upsampled row / column: lower source cell, upper source cell, weight of the upper one. */
  readonly r0: Int32Array;
  readonly r1: Int32Array;
  readonly rf: Float64Array;
  readonly c0: Int32Array;
  readonly c1: Int32Array;
  readonly cf: Float64Array;
}

function axisTable(s: number, up: number): [Int32Array, Int32Array, Float64Array] {
  const i0 = new Int32Array(up);
  const i1 = new Int32Array(up);
  const f = new Float64Array(up);
  const scale = s / up;
  for (let d = 0; d < up; d++) {
    let src = (d + 0.5) * scale - 0.5;
    if (src < 0) src = 0;
    if (src > s - 1) src = s - 1;
    const lo = Math.floor(src);
    i0[d] = lo;
    i1[d] = Math.min(lo + 1, s - 1);
    f[d] = src - lo;
  }
  return [i0, i1, f];
}

export function riseTables(h: number, w: number, s: number, p: number): RiseTables {
  const cellH = Math.ceil(h / s);
  const cellW = Math.ceil(w / s);
  const [r0, r1, rf] = axisTable(s, (s + 1) * cellH);
  const [c0, c1, cf] = axisTable(s, (s + 1) * cellW);
  return { h, w, s, p, cellH, cellW, r0, r1, rf, c0, c1, cf };
}

/**
 * Write mask `index` (h x w, values in [0, 1]) into `out` at `offset`. `scratch` holds s x w floats, `grid` s x s bytes.
 * @example riseMask(riseTables(224, 224, 7, 0.5), seed, i, masks, i * 224 * 224, new Float64Array(7 * 224), new Uint8Array(49));
 */
export function riseMask(t: RiseTables, seed: number, index: number, out: Float32Array, offset: number, scratch: Float64Array, grid: Uint8Array): void {
  const { h, w, s, p } = t;
  const rng = new SampleRng(seed, index, 0);
  for (let k = 0; k < s * s; k++) grid[k] = rng.uniform(k) < p ? 1 : 0;
  const shift = new SampleRng(seed, index, 1);
  const dy = shift.int(0, t.cellH);
  const dx = shift.int(1, t.cellW);
  // Interpolate every grid row along x first (s x w), then the rows along y. Tables in locals: this is the
  // hot loop of RISE on small models.
  const c0 = t.c0;
  const c1 = t.c1;
  const cf = t.cf;
  for (let gy = 0; gy < s; gy++) {
    const g = gy * s;
    const row = gy * w;
    for (let x = 0; x < w; x++) {
      const ux = x + dx;
      const f = cf[ux];
      scratch[row + x] = grid[g + c0[ux]] * (1 - f) + grid[g + c1[ux]] * f;
    }
  }
  const r0 = t.r0;
  const r1 = t.r1;
  const rf = t.rf;
  for (let y = 0; y < h; y++) {
    const uy = y + dy;
    const a = r0[uy] * w;
    const b = r1[uy] * w;
    const f = rf[uy];
    const g = 1 - f;
    const o = offset + y * w;
    for (let x = 0; x < w; x++) out[o + x] = scratch[a + x] * g + scratch[b + x] * f;
  }
}
