/**
 * Counter-based random numbers: every value is a pure function of (seed, sample index, stream, counter), so
 * sample i of a perturbation method is the same whichever shard draws it and in whatever order. No state is
 * carried from one sample to the next, which is what makes any split of the sample range merge to the same
 * answer. The mixer is Chris Wellons' "triple32" integer hash (hash-prospector), applied once per key word.
 */

/** Full-avalanche 32-bit integer hash (triple32). */
export function mix32(x: number): number {
  x ^= x >>> 17;
  x = Math.imul(x, 0xed5ad4bb);
  x ^= x >>> 11;
  x = Math.imul(x, 0xac4c1b51);
  x ^= x >>> 15;
  x = Math.imul(x, 0x31848bab);
  x ^= x >>> 14;
  return x >>> 0;
}

const INV_2_32 = 1 / 4294967296;

/** mix32(k + 0x632be5ab) for the first counters: the key-independent half of u32(k), hashed once per process. */
const INNER_N = 4096;
let inner: Uint32Array | undefined;
function innerTable(): Uint32Array {
  if (!inner) {
    inner = new Uint32Array(INNER_N);
    for (let k = 0; k < INNER_N; k++) inner[k] = mix32((k + 0x632be5ab) >>> 0);
  }
  return inner;
}

/**
 * The random stream of one sample: `u32(k)` / `uniform(k)` is the k-th value of stream `stream` of sample
 * `index` under `seed`. Streams separate independent uses (e.g. RISE: grid cells vs. shifts).
 * @example const r = sampleRng(seed, i, 0); const keep = r.uniform(cell) < p;
 */
export class SampleRng {
  private readonly key: number;
  private readonly inner = innerTable();
  constructor(seed: number, index: number, stream = 0) {
    // The index may exceed 2^32 in principle; fold its high part in so it still changes the key.
    const hi = Math.floor(index / 4294967296) >>> 0;
    let k = mix32((seed >>> 0) ^ 0x9e3779b9);
    k = mix32(k ^ (index >>> 0));
    k = mix32(k ^ hi ^ 0x85ebca6b);
    this.key = mix32(k ^ Math.imul(stream + 1, 0xc2b2ae35));
  }
  u32(k: number): number {
    const u = k >>> 0;
    return mix32(this.key ^ (u === k && u < INNER_N ? this.inner[u] : mix32(u + 0x632be5ab)));
  }
  /**
   * Coin flips: `out[offset + k]` = 1 when uniform(k) < p, else 0, for k < count; returns the number of ones. The
   * same draws as uniform(), compared as integers (u32(k) < p * 2^32 exactly when u32(k) * 2^-32 < p: both sides
   * are scaled by a power of two), without a float per flip.
   */
  bernoulli(p: number, count: number, out: Uint8Array, offset = 0): number {
    const lim = p * 4294967296;
    const key = this.key;
    const inner = this.inner;
    let ones = 0;
    for (let k = 0; k < count; k++) {
      const bit = mix32(key ^ (k < INNER_N ? inner[k] : mix32(k + 0x632be5ab))) < lim ? 1 : 0;
      out[offset + k] = bit;
      ones += bit;
    }
    return ones;
  }
  /** Uniform in [0, 1) with 32 random bits. */
  uniform(k: number): number {
    return this.u32(k) * INV_2_32;
  }
  /** Uniform integer in [0, n) (n <= 2^32; the modulo bias is below 2^-32 * n, negligible here). */
  int(k: number, n: number): number {
    return Math.floor(this.uniform(k) * n);
  }
}

export function sampleRng(seed: number, index: number, stream = 0): SampleRng {
  return new SampleRng(seed, index, stream);
}
