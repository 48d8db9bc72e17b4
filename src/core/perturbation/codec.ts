/**
 * Wire encodings of the shard protocol, isomorphic (WebCrypto and atob/btoa exist in Node 20, workerd and
 * browsers). Statistics travel as base64 of their little-endian float64 bytes: exact, about 11 characters per
 * value. Tensors travel as base64 of little-endian float32 bytes. Every JS platform we run on is
 * little-endian, so the typed arrays' bytes are used as they are (checked once below).
 */
import { base64ToBytes, bytesToBase64 } from '../base64.js';
import { InvalidInputError, RuntimeFailure } from '../errors.js';
import { sizeOf, type Tensor } from '../tensor.js';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new RuntimeFailure('the shard wire format assumes a little-endian platform');
}

export interface EncodedF64 {
  length: number;
  /** base64 of the little-endian float64 bytes. */
  f64: string;
}

export function encodeF64(a: Float64Array): EncodedF64 {
  return { length: a.length, f64: bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)) };
}

export function decodeF64(e: EncodedF64, what = 'statistic'): Float64Array {
  const bytes = base64ToBytes(e.f64, what);
  if (bytes.length !== e.length * 8) {
    throw new InvalidInputError(`${what} has ${bytes.length} bytes but length ${e.length} needs ${e.length * 8}`, { param: what });
  }
  const out = new Float64Array(e.length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** A tensor as JSON: shape plus base64 of its little-endian float32 bytes. */
export interface EncodedTensor {
  shape: number[];
  f32: string;
}

export function encodeTensor(t: Tensor): EncodedTensor {
  return { shape: [...t.shape], f32: bytesToBase64(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)) };
}

export function decodeTensor(e: EncodedTensor, what = 'input'): Tensor {
  if (!Array.isArray(e?.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 1) || typeof e.f32 !== 'string') {
    throw new InvalidInputError(`${what} must be {shape: positive integers, f32: base64}`, { param: what });
  }
  const bytes = base64ToBytes(e.f32, what);
  const n = sizeOf(e.shape);
  if (bytes.length !== n * 4) {
    throw new InvalidInputError(`${what} has ${bytes.length} bytes but shape [${e.shape.join(', ')}] needs ${n * 4}`, { param: what });
  }
  const data = new Float32Array(n);
  new Uint8Array(data.buffer).set(bytes);
  return { data, shape: [...e.shape] };
}

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 (hex) of a tensor's float32 bytes: lets a shard run elsewhere check it got the same input. */
export async function digestTensor(t: Tensor): Promise<string> {
  const view = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  // Copy: subtle.digest does not accept views of SharedArrayBuffers and some runtimes want a plain buffer.
  return hex(await crypto.subtle.digest('SHA-256', view.slice()));
}

/** SHA-256 (hex) of a string. */
export async function digestString(s: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
}

/** JSON with object keys sorted, so equal values always serialise (and hash) the same. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}
