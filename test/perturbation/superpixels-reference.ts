/**
 * Plain, unoptimised quickshift and SLIC as first written (the engine's first version): the dense references
 * that the optimised implementations in src/core/perturbation/superpixels must reproduce label for label.
 * Quickshift: every pair of the window visited once, Math.exp, a raster scan for the nearest denser pixel.
 */
import { mix32 } from '../../src/core/perturbation/prng.js';
import { relabelConnected } from '../../src/core/perturbation/superpixels/connectivity.js';
import type { QuickshiftOptions } from '../../src/core/perturbation/superpixels/quickshift.js';
import type { SlicOptions } from '../../src/core/perturbation/superpixels/slic.js';

export function quickshiftDense(planes: Float32Array[], h: number, w: number, o: QuickshiftOptions): { labels: Int32Array; count: number } {
  const nc = planes.length;
  const hw = h * w;
  const img = new Float64Array(hw * nc);
  for (let p = 0; p < hw; p++) for (let c = 0; c < nc; c++) img[p * nc + c] = planes[c][p] * o.ratio;
  const inv = -0.5 / (o.kernelSize * o.kernelSize);
  const kw = Math.ceil(3 * o.kernelSize);
  const dens = new Float64Array(hw);
  const dist2 = (p: number, q: number, dy: number, dx: number): number => {
    let d = dy * dy + dx * dx;
    for (let c = 0; c < nc; c++) {
      const t = img[p * nc + c] - img[q * nc + c];
      d += t * t;
    }
    return d;
  };
  // The kernel is symmetric: visit each pair once (the forward half of the window) and credit both pixels.
  dens.fill(1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      for (let yy = y; yy <= Math.min(h - 1, y + kw); yy++) {
        for (let xx = yy === y ? x + 1 : Math.max(0, x - kw); xx <= Math.min(w - 1, x + kw); xx++) {
          const q = yy * w + xx;
          const e = Math.exp(dist2(p, q, y - yy, x - xx) * inv);
          dens[p] += e;
          dens[q] += e;
        }
      }
    }
  }
  for (let p = 0; p < hw; p++) dens[p] += (mix32(p) / 4294967296 - 0.5) * 1e-5;
  const parent = new Int32Array(hw);
  const maxD2 = o.maxDist * o.maxDist;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      let best = p;
      let bd = Infinity;
      for (let yy = Math.max(0, y - kw); yy <= Math.min(h - 1, y + kw); yy++) {
        for (let xx = Math.max(0, x - kw); xx <= Math.min(w - 1, x + kw); xx++) {
          const q = yy * w + xx;
          if (dens[q] > dens[p]) {
            const d = dist2(p, q, y - yy, x - xx);
            if (d < bd) {
              bd = d;
              best = q;
            }
          }
        }
      }
      parent[p] = bd > maxD2 ? p : best;
    }
  }
  // Follow links to the roots; densities strictly increase along a chain, so there are no cycles.
  const root = new Int32Array(hw).fill(-1);
  const path: number[] = [];
  for (let p = 0; p < hw; p++) {
    let q = p;
    while (root[q] < 0 && parent[q] !== q) {
      path.push(q);
      q = parent[q];
    }
    const r = root[q] >= 0 ? root[q] : q;
    root[q] = r;
    for (const v of path) root[v] = r;
    path.length = 0;
  }
  // Trees are connected by construction in pixel space only up to the window; split disconnected parts.
  return relabelConnected(root, h, w, 1);
}

/** Labels 0..count-1 (row-major h x w) for Lab (or L) planes (dense reference). */
export function slicDense(planes: Float32Array[], h: number, w: number, o: SlicOptions): { labels: Int32Array; count: number } {
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
