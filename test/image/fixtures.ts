/**
 * Procedural image fixtures for the image tests: a seeded PRNG, a hand-rolled PNG writer (any IHDR, any chunk
 * list, correct CRCs, zlib from node:zlib) for the cases fast-png's encoder cannot make (tRNS colour keys,
 * lying or absurd headers, deflate bombs), and a JPEG SOF patcher. No binary fixtures are committed.
 */
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { crc32 } from '../../src/core/image/crc32.js';

import { rng } from '../helpers/rng.js';
export { rng };

export function randomBytes(n: number, seed: number, max = 256): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * max));
}

function u32be(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

/** One PNG chunk with its length and CRC. */
export function chunk(type: string, data: Uint8Array | number[] = []): Uint8Array {
  const body = Uint8Array.from([...Array.from(type, (c) => c.charCodeAt(0)), ...data]);
  return Uint8Array.from([...u32be(data.length), ...body, ...u32be(crc32(body))]);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface Ihdr {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace?: number;
}

export function ihdr(h: Ihdr): Uint8Array {
  return chunk('IHDR', [...u32be(h.width), ...u32be(h.height), h.bitDepth, h.colorType, 0, 0, h.interlace ?? 0]);
}

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG from an IHDR, the raw (filtered, uncompressed) image data and extra chunks placed before IDAT. */
export function buildPng(h: Ihdr, raw: Uint8Array, before: Uint8Array[] = []): Uint8Array {
  return concat([SIGNATURE, ihdr(h), ...before, chunk('IDAT', deflateSync(raw)), chunk('IEND')]);
}

/** Filter type 0 scanlines from packed rows. */
export function scanlines(rows: Uint8Array[]): Uint8Array {
  return concat(rows.map((r) => concat([Uint8Array.of(0), r])));
}

/** An opaque RGB JPEG of the given flat colour (jpeg-js encoder, quality q). */
export function flatJpeg(width: number, height: number, rgb: [number, number, number], q = 95): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...rgb, 255], i * 4);
  return new Uint8Array(jpeg.encode({ width, height, data }, q).data);
}

/** Offset of the first SOF0 marker. */
export function sofOffset(bytes: Uint8Array): number {
  for (let i = 2; i < bytes.length - 1; i++) if (bytes[i] === 0xff && bytes[i + 1] === 0xc0) return i;
  throw new Error('no SOF0');
}

/** A copy of a JPEG whose SOF0 claims width x height. */
export function patchJpegSize(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const out = bytes.slice();
  const at = sofOffset(out);
  out[at + 5] = height >> 8;
  out[at + 6] = height & 255;
  out[at + 7] = width >> 8;
  out[at + 8] = width & 255;
  return out;
}
