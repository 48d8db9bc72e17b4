/**
 * Integration rules for Integrated Gradients, as Captum builds them: Gauss-Legendre nodes mapped to [0, 1]
 * (numpy.polynomial.legendre.leggauss, weights halved) and Captum's "riemann_trapezoid" (alphas linspace(0, 1, n),
 * step 1/n with the first and last halved, so the weights sum to (n - 1)/n, not 1).
 */

export interface Quadrature {
  alphas: Float64Array;
  weights: Float64Array;
}

/** Gauss-Legendre on [0, 1] with n nodes, ascending (Newton iteration on P_n, as leggauss to ~1e-15). */
export function gaussLegendre(n: number): Quadrature {
  const alphas = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      if (n === 1) {
        p1 = x;
        p0 = 1;
      }
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    const w = 2 / ((1 - x * x) * dp * dp);
    // cos gives descending nodes; store ascending.
    alphas[n - 1 - i] = (1 + x) / 2;
    weights[n - 1 - i] = w / 2;
  }
  return { alphas, weights };
}

/** Captum's riemann_trapezoid: alphas linspace(0,1,n), weights 1/n with both ends halved. */
export function riemannTrapezoid(n: number): Quadrature {
  const alphas = new Float64Array(n);
  const weights = new Float64Array(n).fill(1 / n);
  for (let i = 0; i < n; i++) alphas[i] = n === 1 ? 0 : i / (n - 1);
  weights[0] /= 2;
  weights[n - 1] /= 2;
  return { alphas, weights };
}
