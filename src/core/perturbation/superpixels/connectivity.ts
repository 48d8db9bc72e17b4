/**
 * Connectivity clean-up shared by the superpixel algorithms: every 4-connected component becomes its own
 * label; components smaller than `minSize` join the label of an adjacent earlier component (as skimage's
 * _enforce_label_connectivity). Labels come out contiguous, 0..count-1, in raster order of first pixel.
 */
export function relabelConnected(labels: Int32Array, h: number, w: number, minSize: number): { labels: Int32Array; count: number } {
  const hw = h * w;
  const out = new Int32Array(hw).fill(-1);
  const stack = new Int32Array(hw);
  const comp = new Int32Array(hw);
  let next = 0;
  for (let s = 0; s < hw; s++) {
    if (out[s] >= 0) continue;
    const lab = labels[s];
    // An already-labelled neighbour to merge into if this component is too small.
    let adjacent = -1;
    const sy = Math.floor(s / w);
    const sx = s % w;
    if (sx > 0 && out[s - 1] >= 0) adjacent = out[s - 1];
    else if (sy > 0 && out[s - w] >= 0) adjacent = out[s - w];
    let top = 0;
    let n = 0;
    stack[top++] = s;
    out[s] = next;
    while (top > 0) {
      const p = stack[--top];
      comp[n++] = p;
      const y = Math.floor(p / w);
      const x = p % w;
      if (x > 0 && out[p - 1] < 0 && labels[p - 1] === lab) (out[p - 1] = next), (stack[top++] = p - 1);
      if (x < w - 1 && out[p + 1] < 0 && labels[p + 1] === lab) (out[p + 1] = next), (stack[top++] = p + 1);
      if (y > 0 && out[p - w] < 0 && labels[p - w] === lab) (out[p - w] = next), (stack[top++] = p - w);
      if (y < h - 1 && out[p + w] < 0 && labels[p + w] === lab) (out[p + w] = next), (stack[top++] = p + w);
    }
    if (n < minSize && adjacent >= 0) {
      for (let i = 0; i < n; i++) out[comp[i]] = adjacent;
    } else {
      next++;
    }
  }
  return { labels: out, count: next };
}
