/**
 * RISE masks (Petsiuk et al. 2018, "RISE: Randomized Input Sampling for Explanation of Black-box Models"):
 * a random s x s binary grid (each cell kept with probability p), bilinearly upsampled to (s+1) * cell where
 * cell = ceil(size / s), then cropped at a random shift in [0, cell). Bilinear as skimage.transform.resize
 * (order 1, half-pixel centres, edge values held, as its 'reflect' mode gives for a 2-tap filter).
 * Mask i is a pure function of (seed, i); tables are built once per image size, so a mask costs about
 * s*W + 3*H*W flops. A mask is linear in its grid for a fixed shift, so sums of score x mask are kept per
 * (shift, grid cell) and upsampled once at the end (riseSum). The engine gets masks three ways: as keep masks
 * (riseMask), as two factors the composing graph multiplies out (riseFactors: (H + W) s values instead of H W),
 * or composed straight into small inputs, over the pixels whose input is not zero (riseCompose).
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
  /**
   * When small (2^s x cellW x w values at most ROW_TABLE_MAX): every x-interpolated grid row, for each bit pattern
   * of a binary grid row and each shift dx (at ((pattern * cellW) + dx) * w), so a mask's first pass is s look-ups.
   */
  readonly rowTable?: Float64Array;
  /** Scratch: where each grid row's interpolated values start (in rowTable or in the caller's scratch). */
  readonly rowOff: Int32Array;
  /**
   * For each vertical shift dy, the h x s weights of the grid rows in each output row (riseFactors' left
   * factor): 1 - f and f on its two source rows, their sum where both are the same (clamped) row.
   */
  readonly rowWeights: Float32Array[];
}

/** Largest row table (float64 values) riseTables builds. */
const ROW_TABLE_MAX = 1 << 18;

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
  let rowTable: Float64Array | undefined;
  if (s < 24 && 2 ** s * cellW * w <= ROW_TABLE_MAX) {
    rowTable = new Float64Array(2 ** s * cellW * w);
    for (let pat = 0; pat < 2 ** s; pat++) {
      for (let dx = 0; dx < cellW; dx++) {
        const o = (pat * cellW + dx) * w;
        // The same arithmetic as riseRows on a grid row with bits `pat` (cell k = bit k).
        for (let x = 0; x < w; x++) {
          const ux = x + dx;
          const f = cf[ux];
          rowTable[o + x] = ((pat >> c0[ux]) & 1) * (1 - f) + ((pat >> c1[ux]) & 1) * f;
        }
      }
    }
  }
  const rowWeights: Float32Array[] = [];
  for (let dy = 0; dy < cellH; dy++) {
    const wts = new Float32Array(h * s);
    for (let y = 0; y < h; y++) {
      const uy = y + dy;
      const f = rf[uy];
      if (r0[uy] === r1[uy]) wts[y * s + r0[uy]] = 1 - f + f;
      else {
        wts[y * s + r0[uy]] = 1 - f;
        wts[y * s + r1[uy]] = f;
      }
    }
    rowWeights.push(wts);
  }
  return { h, w, s, p, cellH, cellW, r0, r1, rf, c0, c1, cf, rowTable, rowOff: new Int32Array(s), rowWeights };
}

/**
 * Draw mask `index`'s grid (s x s bytes, 1 = kept) into `grid` at `g0` and return its shift as dy * cellW + dx.
 */
export function riseDraw(t: RiseTables, seed: number, index: number, grid: Uint8Array, g0: number): number {
  const { s, p } = t;
  new SampleRng(seed, index, 0).bernoulli(p, s * s, grid, g0);
  const shift = new SampleRng(seed, index, 1);
  const dy = shift.int(0, t.cellH);
  const dx = shift.int(1, t.cellW);
  return dy * t.cellW + dx;
}

/**
 * Interpolate every grid row along x (the first, separable half of the upsampling): returns the array holding
 * them, grid row gy at t.rowOff[gy] (the row table, or `scratch` with s x w values).
 */
function riseRows(t: RiseTables, grid: Uint8Array, g0: number, dx: number, scratch: Float64Array): Float64Array {
  const { s, w, rowOff } = t;
  if (t.rowTable) {
    for (let gy = 0; gy < s; gy++) {
      const g = g0 + gy * s;
      let pat = 0;
      for (let k = s - 1; k >= 0; k--) pat = (pat << 1) | grid[g + k];
      rowOff[gy] = (pat * t.cellW + dx) * w;
    }
    return t.rowTable;
  }
  const c0 = t.c0;
  const c1 = t.c1;
  const cf = t.cf;
  for (let gy = 0; gy < s; gy++) {
    const g = g0 + gy * s;
    const row = gy * w;
    for (let x = 0; x < w; x++) {
      const ux = x + dx;
      const f = cf[ux];
      scratch[row + x] = grid[g + c0[ux]] * (1 - f) + grid[g + c1[ux]] * f;
    }
    rowOff[gy] = row;
  }
  return scratch;
}

/**
 * Write mask `index` (h x w, values in [0, 1]) into `out` at `offset`. `scratch` holds s x w floats, `grid` s x s bytes
 * (from `g0`; it is left holding the mask's grid). Returns the shift (riseDraw).
 * @example riseMask(riseTables(224, 224, 7, 0.5), seed, i, masks, i * 224 * 224, new Float64Array(7 * 224), new Uint8Array(49));
 */
export function riseMask(t: RiseTables, seed: number, index: number, out: Float32Array, offset: number, scratch: Float64Array, grid: Uint8Array, g0 = 0): number {
  const { h, w } = t;
  const shift = riseDraw(t, seed, index, grid, g0);
  const dy = Math.floor(shift / t.cellW);
  const src = riseRows(t, grid, g0, shift - dy * t.cellW, scratch);
  // Then the rows along y. Tables in locals: this is the hot loop of RISE on small models.
  const r0 = t.r0;
  const r1 = t.r1;
  const rf = t.rf;
  const rowOff = t.rowOff;
  for (let y = 0; y < h; y++) {
    const uy = y + dy;
    const a = rowOff[r0[uy]];
    const b = rowOff[r1[uy]];
    const f = rf[uy];
    const g = 1 - f;
    const o = offset + y * w;
    for (let x = 0; x < w; x++) out[o + x] = src[a + x] * g + src[b + x] * f;
  }
  return shift;
}

/**
 * Mask `index` as the two factors the composing graph multiplies out (compose.ts): `left` (h x s at `lo`) holds
 * each output row's weights of the grid rows for the mask's shift, `right` (s x w at `ro`) the grid rows
 * interpolated along x, so left . right is riseMask's mask up to the float32 rounding of the factors (the
 * upsampling is separable and linear in the grid). `grid` and `g0` as riseMask. Returns the shift.
 */
export function riseFactors(t: RiseTables, seed: number, index: number, grid: Uint8Array, g0: number, left: Float32Array, lo: number, right: Float32Array, ro: number): number {
  const { w, s, cellW } = t;
  const shift = riseDraw(t, seed, index, grid, g0);
  const dy = Math.floor(shift / cellW);
  const dx = shift - dy * cellW;
  // riseRows' interpolation along x, stored as float32 straight away.
  const c0 = t.c0;
  const c1 = t.c1;
  const cf = t.cf;
  for (let gy = 0; gy < s; gy++) {
    const g = g0 + gy * s;
    const o = ro + gy * w;
    for (let x = 0; x < w; x++) {
      const ux = x + dx;
      const f = cf[ux];
      right[o + x] = grid[g + c0[ux]] * (1 - f) + grid[g + c1[ux]] * f;
    }
  }
  left.set(t.rowWeights[dy], lo);
  return shift;
}

const fr = Math.fround;

/** Per image row, the runs [x0, x1) of pixels where some channel of `delta` is non-zero (riseCompose). */
export interface NonzeroRuns {
  /** x0, x1 pairs; row y owns pairs rowStart[y] .. rowStart[y+1]. */
  readonly runs: Int32Array;
  readonly rowStart: Int32Array;
  /** Every pixel is in a run (no zero to fill). */
  readonly dense: boolean;
}

export function nonzeroRuns(delta: Float32Array, c: number, h: number, w: number): NonzeroRuns {
  const hw = h * w;
  const on = new Uint8Array(hw);
  for (let ch = 0; ch < c; ch++) for (let p = 0; p < hw; p++) if (delta[ch * hw + p] !== 0) on[p] = 1;
  const runs: number[] = [];
  const rowStart = new Int32Array(h + 1);
  let covered = 0;
  for (let y = 0; y < h; y++) {
    rowStart[y] = runs.length / 2;
    for (let x = 0; x < w; x++) {
      if (!on[y * w + x]) continue;
      const x0 = x;
      while (x < w && on[y * w + x]) x++;
      runs.push(x0, x);
      covered += x - x0;
    }
  }
  rowStart[h] = runs.length / 2;
  return { runs: Int32Array.from(runs), rowStart, dense: covered === hw };
}

/**
 * Mask `index` composed straight into the model input (c x h x w at `offset` of `out`) over RISE's fill of 0:
 * exactly what composeJs gives for riseMask's keep values over `delta` (= x) and a zero fill, without the keep
 * buffer. composeJs rounds keep * delta to float32 and adds the fill; with a fill of +0 that is the product
 * rounded once by the float32 store (keep and delta are float32, so their product is exact in float64), and
 * the `+ 0` turns a -0 into +0 as the fill's addition does. Where delta is 0 in every channel the input is +0
 * whatever the mask: only the runs `nz` of non-zero pixels are computed (a Fashion-MNIST image is two-thirds
 * background). `row` holds w floats. Returns the shift (riseDraw).
 */
export function riseCompose(t: RiseTables, seed: number, index: number, grid: Uint8Array, g0: number, scratch: Float64Array, row: Float32Array, delta: Float32Array, nz: NonzeroRuns, c: number, out: Float32Array, offset: number): number {
  const { h, w } = t;
  const hw = h * w;
  const shift = riseDraw(t, seed, index, grid, g0);
  const dy = Math.floor(shift / t.cellW);
  const src = riseRows(t, grid, g0, shift - dy * t.cellW, scratch);
  const r0 = t.r0;
  const r1 = t.r1;
  const rf = t.rf;
  const rowOff = t.rowOff;
  const { runs, rowStart } = nz;
  if (!nz.dense) out.fill(0, offset, offset + c * hw);
  for (let y = 0; y < h; y++) {
    const uy = y + dy;
    const a = rowOff[r0[uy]];
    const b = rowOff[r1[uy]];
    const f = rf[uy];
    const g = 1 - f;
    const p = y * w;
    for (let r = rowStart[y]; r < rowStart[y + 1]; r++) {
      const x0 = runs[2 * r];
      const x1 = runs[2 * r + 1];
      if (c === 1) {
        const o = offset + p;
        for (let x = x0; x < x1; x++) out[o + x] = fr(src[a + x] * g + src[b + x] * f) * delta[p + x] + 0;
      } else {
        for (let x = x0; x < x1; x++) row[x] = src[a + x] * g + src[b + x] * f;
        for (let ch = 0; ch < c; ch++) {
          const q = ch * hw + p;
          const o = offset + q;
          for (let x = x0; x < x1; x++) out[o + x] = row[x] * delta[q + x] + 0;
        }
      }
    }
  }
  return shift;
}

/**
 * Sum of score x mask over masks from grid-level sums: `acc` (at `a0`) holds, for every shift (dy * cellW + dx)
 * and grid cell, the sum of the scores of the masks with that shift that keep that cell. The upsampling is
 * linear in the grid, so the pixel sums are the upsampled shift sums, added up; done separably (x for every
 * (dy, grid row), then y). Adds into `out` (h x w, float64).
 */
export function riseSum(t: RiseTables, acc: Float64Array, a0: number, out: Float64Array): void {
  const { h, w, s, cellH, cellW } = t;
  const s2 = s * s;
  const c0 = t.c0;
  const c1 = t.c1;
  const cf = t.cf;
  // rows[dy][gy][x] = sum over dx of the x-interpolated grid row gy of shift (dy, dx).
  const rows = new Float64Array(cellH * s * w);
  for (let dy = 0; dy < cellH; dy++) {
    for (let dx = 0; dx < cellW; dx++) {
      const g0 = a0 + (dy * cellW + dx) * s2;
      for (let gy = 0; gy < s; gy++) {
        const g = g0 + gy * s;
        const r = (dy * s + gy) * w;
        for (let x = 0; x < w; x++) {
          const ux = x + dx;
          const f = cf[ux];
          rows[r + x] += acc[g + c0[ux]] * (1 - f) + acc[g + c1[ux]] * f;
        }
      }
    }
  }
  const r0 = t.r0;
  const r1 = t.r1;
  const rf = t.rf;
  for (let dy = 0; dy < cellH; dy++) {
    for (let y = 0; y < h; y++) {
      const uy = y + dy;
      const a = (dy * s + r0[uy]) * w;
      const b = (dy * s + r1[uy]) * w;
      const f = rf[uy];
      const g = 1 - f;
      const o = y * w;
      for (let x = 0; x < w; x++) out[o + x] += rows[a + x] * g + rows[b + x] * f;
    }
  }
}
