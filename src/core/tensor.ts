/**
 * The one tensor type of the toolkit: a Float32Array with a runtime shape (row-major, NCHW for images).
 * Shapes stay plain numbers at runtime; no type-level shape tricks.
 */
import { InvalidInputError } from './errors.js';

export interface Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Make a tensor, checking that data length matches the shape. */
export function tensor(data: Float32Array, shape: readonly number[]): Tensor {
  const n = sizeOf(shape);
  if (data.length !== n) {
    throw new InvalidInputError(`tensor data has ${data.length} values but shape [${shape.join(', ')}] needs ${n}`, {
      param: 'tensor',
    });
  }
  return { data, shape: [...shape] };
}

export function zeros(shape: readonly number[]): Tensor {
  return { data: new Float32Array(sizeOf(shape)), shape: [...shape] };
}

/** Row `i` of the leading (batch) dimension as a tensor with batch 1 (a view, no copy). */
export function batchRow(t: Tensor, i: number): Tensor {
  const per = sizeOf(t.shape.slice(1));
  return { data: t.data.subarray(i * per, (i + 1) * per), shape: [1, ...t.shape.slice(1)] };
}

/** Stack batch-1 (or batch-k) tensors along dimension 0. */
export function concatBatch(ts: readonly Tensor[]): Tensor {
  if (ts.length === 0) throw new InvalidInputError('concatBatch needs at least one tensor');
  const inner = ts[0].shape.slice(1);
  let n = 0;
  for (const t of ts) {
    if (t.shape.slice(1).join(',') !== inner.join(',')) {
      throw new InvalidInputError(`cannot stack shapes [${ts[0].shape}] and [${t.shape}]`);
    }
    n += t.shape[0];
  }
  const data = new Float32Array(n * sizeOf(inner));
  let off = 0;
  for (const t of ts) {
    data.set(t.data, off);
    off += t.data.length;
  }
  return { data, shape: [n, ...inner] };
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** Numerically stable softmax of one row (float64 accumulation). */
export function softmax(v: ArrayLike<number>): Float32Array {
  let m = -Infinity;
  for (let i = 0; i < v.length; i++) m = Math.max(m, v[i]);
  let s = 0;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) s += Math.exp(v[i] - m);
  for (let i = 0; i < v.length; i++) out[i] = Math.exp(v[i] - m) / s;
  return out;
}

/** Indices of the k largest values, largest first (ties: lower index first). */
export function topK(v: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: v.length }, (_, i) => i);
  idx.sort((a, b) => v[b] - v[a] || a - b);
  return idx.slice(0, Math.min(k, v.length));
}
