/**
 * Quickshift superpixels (Vedaldi & Soatto 2008, "Quick Shift and Kernel Methods for Mode Seeking"), as
 * skimage.segmentation.quickshift: CIELAB colours scaled by `ratio`, Parzen density with a Gaussian of
 * `kernelSize` over a (2*ceil(3*kernelSize)+1)^2 window, each pixel linked to the nearest pixel of higher
 * density within the window unless farther than `maxDist`; trees are segments. Ties are broken by a tiny
 * deterministic perturbation of the densities (skimage uses seeded Gaussian noise of scale 1e-5).
 * The lime package's default segmenter: kernelSize 4, maxDist 200, ratio 0.2.
 */
import { mix32 } from '../prng.js';
import { relabelConnected } from './connectivity.js';
import { fdlibmExp } from '../exp.js';

export interface QuickshiftOptions {
  kernelSize: number;
  maxDist: number;
  ratio: number;
}

export function quickshift(planes: Float32Array[], h: number, w: number, o: QuickshiftOptions): { labels: Int32Array; count: number } {
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
        const dy2 = (y - yy) * (y - yy);
        const x1 = Math.min(w - 1, x + kw);
        if (nc === 3) {
          // dist2 inlined for colour images (the same operations in the same order).
          const a0 = img[p * 3];
          const a1 = img[p * 3 + 1];
          const a2 = img[p * 3 + 2];
          let acc = dens[p];
          for (let xx = yy === y ? x + 1 : Math.max(0, x - kw); xx <= x1; xx++) {
            const q = yy * w + xx;
            const t0 = a0 - img[q * 3];
            const t1 = a1 - img[q * 3 + 1];
            const t2 = a2 - img[q * 3 + 2];
            let d = dy2 + (x - xx) * (x - xx);
            d += t0 * t0;
            d += t1 * t1;
            d += t2 * t2;
            const e = fdlibmExp(d * inv);
            acc += e;
            dens[q] += e;
          }
          dens[p] = acc;
          continue;
        }
        for (let xx = yy === y ? x + 1 : Math.max(0, x - kw); xx <= x1; xx++) {
          const q = yy * w + xx;
          const e = fdlibmExp(dist2(p, q, y - yy, x - xx) * inv);
          dens[p] += e;
          dens[q] += e;
        }
      }
    }
  }
  for (let p = 0; p < hw; p++) dens[p] += (mix32(p) / 4294967296 - 0.5) * 1e-5;
  const parent = new Int32Array(hw);
  const maxD2 = o.maxDist * o.maxDist;
  // Window offsets by increasing spatial distance: the colour term is >= 0, so once the spatial distance alone
  // exceeds the best distance found, no farther offset can win. Among equally near candidates the one first in
  // row-major order (the smallest index) wins, as in a plain scan of the window with a strict "<".
  const offs: Array<[number, number, number]> = [];
  for (let dy = -kw; dy <= kw; dy++) for (let dx = -kw; dx <= kw; dx++) offs.push([dy * dy + dx * dx, dy, dx]);
  offs.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const od2 = Float64Array.from(offs, (v) => v[0]);
  const ody = Int32Array.from(offs, (v) => v[1]);
  const odx = Int32Array.from(offs, (v) => v[2]);
  const no = offs.length;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const dp = dens[p];
      let best = p;
      let bd = Infinity;
      for (let k = 0; k < no; k++) {
        if (od2[k] > bd) break;
        const yy = y + ody[k];
        const xx = x + odx[k];
        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const q = yy * w + xx;
        if (dens[q] > dp) {
          const d = dist2(p, q, y - yy, x - xx);
          if (d < bd || (d === bd && q < best)) {
            bd = d;
            best = q;
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
