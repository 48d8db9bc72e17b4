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

/** Labels 0..count-1 (row-major h x w) for Lab (or L) planes. */
export function slic(planes: Float32Array[], h: number, w: number, o: SlicOptions): { labels: Int32Array; count: number } {
  const nc = planes.length;
  const hw = h * w;
  const stepF = Math.sqrt(hw / Math.max(1, o.segments));
  const step = Math.max(1, Math.round(stepF));
  const start = Math.floor(stepF / 2);
  const cy: number[] = [];
  const cx: number[] = [];
  for (let y = start; y < h; y += step) for (let x = start; x < w; x += step) {
    cy.push(y);
    cx.push(x);
  }
  const k = cy.length;
  const cc = new Float64Array(k * nc);
  for (let i = 0; i < k; i++) for (let c = 0; c < nc; c++) cc[i * nc + c] = planes[c][cy[i] * w + cx[i]];
  const labels = new Int32Array(hw).fill(-1);
  const dist = new Float64Array(hw);
  const invC2 = 1 / (o.compactness * o.compactness);
  const invS2 = 1 / (step * step);
  const sums = new Float64Array(k * (nc + 3));
  for (let it = 0; it < (o.iterations ?? 10); it++) {
    dist.fill(Infinity);
    for (let i = 0; i < k; i++) {
      const y0 = Math.max(0, Math.floor(cy[i] - 2 * step));
      const y1 = Math.min(h, Math.ceil(cy[i] + 2 * step + 1));
      const x0 = Math.max(0, Math.floor(cx[i] - 2 * step));
      const x1 = Math.min(w, Math.ceil(cx[i] + 2 * step + 1));
      for (let y = y0; y < y1; y++) {
        const dy = (y - cy[i]) ** 2;
        for (let x = x0; x < x1; x++) {
          const p = y * w + x;
          let dc = 0;
          for (let c = 0; c < nc; c++) dc += (planes[c][p] - cc[i * nc + c]) ** 2;
          const d = dc * invC2 + (dy + (x - cx[i]) ** 2) * invS2;
          if (d < dist[p]) {
            dist[p] = d;
            labels[p] = i;
          }
        }
      }
    }
    sums.fill(0);
    const m = nc + 3;
    for (let p = 0; p < hw; p++) {
      const l = labels[p];
      if (l < 0) continue;
      sums[l * m] += 1;
      sums[l * m + 1] += Math.floor(p / w);
      sums[l * m + 2] += p % w;
      for (let c = 0; c < nc; c++) sums[l * m + 3 + c] += planes[c][p];
    }
    for (let i = 0; i < k; i++) {
      const n = sums[i * m];
      if (n === 0) continue;
      cy[i] = sums[i * m + 1] / n;
      cx[i] = sums[i * m + 2] / n;
      for (let c = 0; c < nc; c++) cc[i * nc + c] = sums[i * m + 3 + c] / n;
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
