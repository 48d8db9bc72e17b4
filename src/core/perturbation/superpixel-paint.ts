/**
 * Painting superpixel coalitions (LIME, KernelSHAP; coalitions.ts): a keep mask (1 on the superpixels with
 * z = 1, 0 elsewhere) for the graph, or the composed input itself (the keep-1 image there, the keep-0 image
 * elsewhere) for the JavaScript path. Each superpixel's pixels are listed once per shard, as indices and as
 * row runs; a sample writes the majority value wholesale and the other superpixels from their lists, or, for
 * a keep buffer slot that still holds the previous sample's mask, only the superpixels whose bit changed.
 */

/** The superpixels' pixels, grouped per superpixel. */
export interface SuperpixelLists {
  readonly m: number;
  /** Pixel indices grouped by superpixel: superpixel a owns pixels[starts[a] .. starts[a+1]). */
  readonly pixels: Int32Array;
  readonly starts: Int32Array;
  /**
   * The same as row runs [runs[2r], runs[2r+1]) of consecutive pixels, superpixel a owning runs runStarts[a] ..
   * runStarts[a+1]; painted run by run (fill / set) when runs are long on average (useRuns).
   */
  readonly runs: Int32Array;
  readonly runStarts: Int32Array;
  readonly useRuns: boolean;
}

/**
 * Pixel index lists of the superpixels (counting sort by label, pixels in scan order), of the pixels with
 * `include[i]` set when given.
 */
export function pixelLists(labels: Int32Array, m: number, include?: Uint8Array): Omit<SuperpixelLists, 'm'> {
  const starts = new Int32Array(m + 1);
  for (let i = 0; i < labels.length; i++) if (!include || include[i]) starts[labels[i] + 1]++;
  for (let a = 0; a < m; a++) starts[a + 1] += starts[a];
  const at = starts.slice(0, m);
  const pixels = new Int32Array(starts[m]);
  for (let i = 0; i < labels.length; i++) if (!include || include[i]) pixels[at[labels[i]]++] = i;
  const runStarts = new Int32Array(m + 1);
  const runs: number[] = [];
  for (let a = 0; a < m; a++) {
    runStarts[a] = runs.length / 2;
    for (let t = starts[a]; t < starts[a + 1]; ) {
      const first = pixels[t];
      let e = t + 1;
      while (e < starts[a + 1] && pixels[e] === pixels[e - 1] + 1) e++;
      runs.push(first, pixels[e - 1] + 1);
      t = e;
    }
  }
  runStarts[m] = runs.length / 2;
  // Runs pay off when a fill / set call replaces a dozen or more single writes.
  return { pixels, starts, runs: Int32Array.from(runs), runStarts, useRuns: runStarts[m] * 12 <= starts[m] };
}

/**
 * The lists of compose(): only the pixels whose keep-1 and keep-0 values differ (in some channel, bit for
 * bit), since the others compose to the same value either way; on a Fashion-MNIST image the background
 * superpixels (zero, and their mean fill zero) drop out entirely.
 */
export function differingLists(labels: Int32Array, m: number, kept: Float32Array, hidden: Float32Array, c: number): SuperpixelLists {
  const hw = labels.length;
  const include = new Uint8Array(hw);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < hw; i++) if (!Object.is(kept[ch * hw + i], hidden[ch * hw + i])) include[i] = 1;
  return { m, ...pixelLists(labels, m, include) };
}

/** The base of a sample's painting: 1 when the superpixels with z = 1 cover at least half the listed pixels, else 0. */
function paintBase(s: SuperpixelLists, z: Uint8Array, zo: number): number {
  const { m, starts } = s;
  let covered = 0;
  for (let a = 0; a < m; a++) if (z[zo + a]) covered += starts[a + 1] - starts[a];
  return covered * 2 >= starts[m] ? 1 : 0;
}

/**
 * Paint one keep mask: `out` (hw values at `o`) gets 1 on the pixels of the superpixels with z = 1, 0
 * elsewhere. Starts from whichever covers more pixels and writes the other superpixels from their index lists
 * (run by run when runs are long).
 */
export function paintKeep(s: SuperpixelLists, z: Uint8Array, zo: number, out: Float32Array, o: number, hw: number): void {
  const { m, pixels, starts, runs, runStarts, useRuns } = s;
  const base = paintBase(s, z, zo);
  const other = 1 - base;
  out.fill(base, o, o + hw);
  for (let a = 0; a < m; a++) {
    if (z[zo + a] === base) continue;
    if (useRuns) for (let r = runStarts[a]; r < runStarts[a + 1]; r++) out.fill(other, o + runs[2 * r], o + runs[2 * r + 1]);
    else for (let t = starts[a], e = starts[a + 1]; t < e; t++) out[o + pixels[t]] = other;
  }
}

/** Repaint the keep mask at `o` whose coalition was `prev` (at zo) for the coalition `z` (at zo): changed superpixels only. */
export function repaintKeep(s: SuperpixelLists, z: Uint8Array, zo: number, prev: Uint8Array, out: Float32Array, o: number): void {
  const { m, pixels, starts, runs, runStarts, useRuns } = s;
  for (let a = 0; a < m; a++) {
    const v = z[zo + a];
    if (v === prev[zo + a]) continue;
    if (useRuns) for (let r = runStarts[a]; r < runStarts[a + 1]; r++) out.fill(v, o + runs[2 * r], o + runs[2 * r + 1]);
    else for (let t = starts[a], e = starts[a + 1]; t < e; t++) out[o + pixels[t]] = v;
  }
}

/**
 * Paint one composed input: `out` (c planes of hw at `o`) gets `kept` on the pixels of the superpixels with
 * z = 1 and `hidden` elsewhere: a copy of whichever covers more pixels, then the other superpixels from their
 * index lists (run by run when runs are long); `s` may list only the pixels where kept and hidden differ
 * (differingLists). A function of its own, not paintKeep with arrays for numbers:
 * each stays monomorphic, which on 28 x 28 inputs is a fifth of the painting time.
 */
export function paintImage(s: SuperpixelLists, z: Uint8Array, zo: number, kept: Float32Array, hidden: Float32Array, out: Float32Array, o: number, c: number, hw: number): void {
  const { m, pixels, starts, runs, runStarts, useRuns } = s;
  const base = paintBase(s, z, zo);
  const other = base ? hidden : kept;
  out.set(base ? kept : hidden, o);
  for (let ch = 0; ch < c; ch++) {
    const q = o + ch * hw;
    const src = ch * hw;
    for (let a = 0; a < m; a++) {
      if (z[zo + a] === base) continue;
      if (useRuns) {
        for (let r = runStarts[a]; r < runStarts[a + 1]; r++) out.set(other.subarray(src + runs[2 * r], src + runs[2 * r + 1]), q + runs[2 * r]);
      } else {
        const e = starts[a + 1];
        for (let t = starts[a]; t < e; t++) out[q + pixels[t]] = other[src + pixels[t]];
      }
    }
  }
}
