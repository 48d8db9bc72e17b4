/**
 * The little dense linear algebra the surrogate models need: Cholesky solve of a symmetric positive-definite
 * system in float64. The factorisation is separate from the solve because the surrogates of all reported
 * classes share one matrix and differ only in the right-hand side.
 */

/**
 * Cholesky factor L (lower triangle, row-major n x n) of symmetric positive-definite A (not modified).
 * Returns undefined when A is not numerically positive definite (e.g. too few samples for the number of
 * features).
 * @example const l = cholesky(a, n); const x = l && choleskySolve(l, b, n);
 */
export function cholesky(a: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]));
  const tol = maxDiag * n * 1e-13;
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= l[rj + k] * l[rj + k];
    if (!(d > tol)) return undefined;
    const ljj = Math.sqrt(d);
    l[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      l[ri + j] = s / ljj;
    }
  }
  return l;
}

/** Solve L L^T x = b for a factor from cholesky(). */
export function choleskySolve(l: Float64Array, b: Float64Array, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}
