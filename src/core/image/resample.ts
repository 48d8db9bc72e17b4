/**
 * The one resampling engine: every resize, crop and map upsampling is a separable weighted sum, described per
 * axis as a sparse weight table (which source indices, with which weights, make each output index) and
 * applied by one loop. Bilinear, area, nearest and crop differ only in how their tables are built.
 */
import { InvalidInputError } from '../errors.js';

/**
 * Weights along one axis, compressed-row form: output i is the sum over k in [ptr[i], ptr[i+1]) of
 * weight[k] * source[index[k]].
 */
export interface AxisWeights {
  /** Number of output indices. */
  readonly size: number;
  readonly ptr: Int32Array;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

class AxisBuilder {
  private readonly ptr: number[] = [0];
  private readonly index: number[] = [];
  private readonly weight: number[] = [];
  add(i: number, w: number): void {
    if (w === 0) return;
    const last = this.index.length - 1;
    // Taps that hit the same source index (the clamped edge) merge, so every table has distinct indices per row.
    if (last >= this.ptr[this.ptr.length - 1] && this.index[last] === i) this.weight[last] += w;
    else {
      this.index.push(i);
      this.weight.push(w);
    }
  }
  endRow(): void {
    this.ptr.push(this.index.length);
  }
  build(): AxisWeights {
    return {
      size: this.ptr.length - 1,
      ptr: Int32Array.from(this.ptr),
      index: Int32Array.from(this.index),
      weight: Float64Array.from(this.weight),
    };
  }
}

const f32 = Math.fround;

/**
 * Bilinear weights with half-pixel centres, exactly PyTorch's F.interpolate(mode='bilinear',
 * align_corners=False, antialias=False) along one axis (aten/src/ATen/native/UpSample.h,
 * area_pixel_compute_source_index and guard_index_and_lambda), including its float32 arithmetic:
 * src = max(0, scale * (dst + 0.5) - 0.5) with scale = in / out, neighbours floor(src) and
 * min(floor(src) + 1, in - 1). Outputs `start` .. `start + count - 1` of a virtual output of length `outSize`
 * (so a crop of a resize never computes the rows it drops).
 * @example bilinearWeights(2, 4) // rows: [0:1], [0:0.75, 1:0.25], [0:0.25, 1:0.75], [1:1]
 */
export function bilinearWeights(inSize: number, outSize: number, start = 0, count = outSize - start): AxisWeights {
  const b = new AxisBuilder();
  const scale = f32(inSize / outSize);
  for (let dst = start; dst < start + count; dst++) {
    let src = inSize === outSize ? dst : f32(f32(scale * (dst + 0.5)) - 0.5);
    if (src < 0) src = 0;
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
    const l1 = Math.min(Math.max(f32(src - i0), 0), 1);
    b.add(i0, f32(1 - l1));
    b.add(i1, l1);
    b.endRow();
  }
  return b.build();
}

/**
 * Area (box) weights: output i averages the source interval [i * in / out, (i + 1) * in / out), each source
 * pixel weighted by the fraction of it the interval covers, as OpenCV's INTER_AREA does for shrinking. Equal
 * to PyTorch's adaptive_avg_pool2d when in / out is an integer (for other ratios adaptive_avg_pool2d uses whole
 * pixels). When out > in (enlarging) there is nothing to average and the axis falls back to bilinearWeights.
 * @example areaWeights(3, 2) // rows: [0:2/3, 1:1/3], [1:1/3, 2:2/3]
 */
export function areaWeights(inSize: number, outSize: number, start = 0, count = outSize - start): AxisWeights {
  if (outSize > inSize) return bilinearWeights(inSize, outSize, start, count);
  const b = new AxisBuilder();
  for (let dst = start; dst < start + count; dst++) {
    // Interval ends as exact rationals (integer products divided once) so integer ratios give exact boxes.
    const lo = (dst * inSize) / outSize;
    const hi = ((dst + 1) * inSize) / outSize;
    for (let j = Math.floor(lo); j < hi && j < inSize; j++) {
      const covered = Math.min(j + 1, hi) - Math.max(j, lo);
      if (covered > 1e-12) b.add(j, (covered * outSize) / inSize);
    }
    b.endRow();
  }
  return b.build();
}

/**
 * Nearest-neighbour weights of PyTorch's legacy mode='nearest' (UpSample.h nearest_idx): src =
 * min(floor(dst * scale), in - 1) with scale = in / out in float32. Not 'nearest-exact'.
 * @example nearestWeights(10, 4) // sources 0, 2, 5, 7
 */
export function nearestWeights(inSize: number, outSize: number): AxisWeights {
  const b = new AxisBuilder();
  const scale = f32(inSize / outSize);
  for (let dst = 0; dst < outSize; dst++) {
    b.add(inSize === outSize ? dst : Math.min(Math.floor(f32(dst * scale)), inSize - 1), 1);
    b.endRow();
  }
  return b.build();
}

/** Identity weights for a crop: output i is source start + i. @example cropWeights(2, 3).index // [2, 3, 4] */
export function cropWeights(start: number, count: number): AxisWeights {
  const b = new AxisBuilder();
  for (let i = 0; i < count; i++) {
    b.add(start + i, 1);
    b.endRow();
  }
  return b.build();
}

/** Anything indexable and writable by number: Float32Array, Float64Array, Uint8ClampedArray (rounds and clamps). */
export type NumericArray = Float32Array | Float64Array | Uint8ClampedArray;

/**
 * Apply per-axis weights to an interleaved image (`channels` values per pixel, row-major), writing
 * `x.size * y.size * channels` values to `out`. Each output row is a weighted sum of horizontally filtered
 * source rows, in float64; filtered rows are cached while later output rows still need them (the tables of
 * this module reference rows in increasing order), so each source row is filtered once, only if used, and
 * memory stays at a few rows.
 */
export function resample(
  src: ArrayLike<number>,
  inW: number,
  inH: number,
  channels: number,
  x: AxisWeights,
  y: AxisWeights,
  out: NumericArray,
): void {
  if (src.length !== inW * inH * channels) {
    throw new InvalidInputError(`resample source has ${src.length} values, not ${inW}x${inH}x${channels}`, { param: 'image' });
  }
  const { ptr: xPtr, index: xIndex, weight: xWeight, size: outW } = x;
  const rowLen = outW * channels;
  const cache = new Map<number, Float64Array>();
  const spare: Float64Array[] = [];
  const filtered = (r: number): Float64Array => {
    let row = cache.get(r);
    if (row !== undefined) return row;
    row = spare.pop() ?? new Float64Array(rowLen);
    const srcRow = r * inW * channels;
    for (let ox = 0; ox < outW; ox++) {
      const o = ox * channels;
      for (let c = 0; c < channels; c++) row[o + c] = 0;
      for (let k = xPtr[ox], end = xPtr[ox + 1]; k < end; k++) {
        const w = xWeight[k];
        const s = srcRow + xIndex[k] * channels;
        for (let c = 0; c < channels; c++) row[o + c] += w * src[s + c];
      }
    }
    cache.set(r, row);
    return row;
  };
  const acc = new Float64Array(rowLen);
  for (let oy = 0; oy < y.size; oy++) {
    let lowest = Infinity;
    for (let k = y.ptr[oy]; k < y.ptr[oy + 1]; k++) lowest = Math.min(lowest, y.index[k]);
    for (const [r, row] of cache) {
      if (r < lowest) {
        cache.delete(r);
        spare.push(row);
      }
    }
    acc.fill(0);
    for (let k = y.ptr[oy]; k < y.ptr[oy + 1]; k++) {
      const w = y.weight[k];
      const row = filtered(y.index[k]);
      for (let i = 0; i < rowLen; i++) acc[i] += w * row[i];
    }
    out.set(acc, oy * rowLen);
  }
}
