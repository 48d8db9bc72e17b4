/**
 * SLIC superpixels (Achanta et al. 2012, "SLIC Superpixels Compared to State-of-the-Art Superpixel Methods"),
 * following skimage.segmentation.slic's defaults: CIELAB, centres on a regular grid of step
 * sqrt(HW / n), distance (dcolour / compactness)^2 + (dspace / step)^2 searched within 2 steps, 10 iterations,
 * then connectivity enforced (components below half the mean size join a neighbour).
 */
import { relabelConnected } from './connectivity.js';

export interface SlicOptions {
  segments: number;
  compactness: number;
  iterations?: number;
}

/**
 * Labels 0..count-1 (row-major h x w) for Lab (or L) planes.
 * @example const { labels, count } = slic(toLab(unnormalise(x, pre)), 28, 28, { segments: 50, compactness: 10 });
 */
export function slic(planes: Float32Array[], h: number, w: number, o: SlicOptions): { labels: Int32Array; count: number } {
  const nc = planes.length;
  const hw = h * w;
  const stepF = Math.sqrt(hw / Math.max(1, o.segments));
  const step = Math.max(1, Math.round(stepF));
  const start = Math.floor(stepF / 2);
  const ys: number[] = [];
  const xs: number[] = [];
  for (let y = start; y < h; y += step) for (let x = start; x < w; x += step) {
    ys.push(y);
    xs.push(x);
  }
  const k = ys.length;
  const cy = Float64Array.from(ys);
  const cx = Float64Array.from(xs);
  // Up to three colour planes; a gray image gets two zero planes (and zero centre colours), which add exact
  // zeros to the colour distance, so one loop serves both.
  const zero = new Float32Array(hw);
  const [l0, l1, l2] = [planes[0], planes[1] ?? zero, planes[2] ?? zero];
  const cc = new Float64Array(k * 3);
  for (let i = 0; i < k; i++) for (let c = 0; c < nc; c++) cc[i * 3 + c] = planes[c][cy[i] * w + cx[i]];
  const labels = new Int32Array(hw).fill(-1);
  const dist = new Float64Array(hw);
  const invC2 = 1 / (o.compactness * o.compactness);
  const invS2 = 1 / (step * step);
  const m = 6;
  const sums = new Float64Array(k * m);
  for (let it = 0; it < (o.iterations ?? 10); it++) {
    dist.fill(Infinity);
    for (let i = 0; i < k; i++) {
      const ciy = cy[i];
      const cix = cx[i];
      const a0 = cc[i * 3];
      const a1 = cc[i * 3 + 1];
      const a2 = cc[i * 3 + 2];
      const y0 = Math.max(0, Math.floor(ciy - 2 * step));
      const y1 = Math.min(h, Math.ceil(ciy + 2 * step + 1));
      const x0 = Math.max(0, Math.floor(cix - 2 * step));
      const x1 = Math.min(w, Math.ceil(cix + 2 * step + 1));
      for (let y = y0; y < y1; y++) {
        const dy = (y - ciy) * (y - ciy);
        for (let x = x0; x < x1; x++) {
          const p = y * w + x;
          const t0 = l0[p] - a0;
          const t1 = l1[p] - a1;
          const t2 = l2[p] - a2;
          const dc = t0 * t0 + t1 * t1 + t2 * t2;
          const d = dc * invC2 + (dy + (x - cix) * (x - cix)) * invS2;
          if (d < dist[p]) {
            dist[p] = d;
            labels[p] = i;
          }
        }
      }
    }
    sums.fill(0);
    for (let y = 0, p = 0; y < h; y++) {
      for (let x = 0; x < w; x++, p++) {
        const l = labels[p];
        if (l < 0) continue;
        const b = l * m;
        sums[b] += 1;
        sums[b + 1] += y;
        sums[b + 2] += x;
        sums[b + 3] += l0[p];
        sums[b + 4] += l1[p];
        sums[b + 5] += l2[p];
      }
    }
    for (let i = 0; i < k; i++) {
      const n = sums[i * m];
      if (n === 0) continue;
      cy[i] = sums[i * m + 1] / n;
      cx[i] = sums[i * m + 2] / n;
      for (let c = 0; c < 3; c++) cc[i * 3 + c] = sums[i * m + 3 + c] / n;
    }
  }
  // Pixels no centre reached (possible only in degenerate settings) join the nearest centre in space.
  for (let p = 0; p < hw; p++) {
    if (labels[p] >= 0) continue;
    let best = 0;
    let bd = Infinity;
    const y = Math.floor(p / w);
    const x = p % w;
    for (let i = 0; i < k; i++) {
      const d = (y - cy[i]) ** 2 + (x - cx[i]) ** 2;
      if (d < bd) {
        bd = d;
        best = i;
      }
    }
    labels[p] = best;
  }
  return relabelConnected(labels, h, w, Math.floor((0.5 * hw) / Math.max(1, k)));
}
