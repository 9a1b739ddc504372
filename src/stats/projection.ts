// Covariate projection. For a sample set S and covariates C (intercept implicit), we build an
// orthonormal basis Q of the centred covariate columns once; a variant's regression then needs only
// Q'd, d'd and d'y_r, where y_r is the phenotype with the covariates projected out. This is the
// Frisch-Waugh-Lovell identity: the dosage coefficient of y ~ 1 + d + C equals that of y_r ~ d_r.

export interface Projection {
  n: number;
  /** Rank of the centred covariates (excluding the intercept). */
  r: number;
  /** r columns of length n, column-major. */
  q: Float64Array;
  /** Which input covariate columns were kept (others were constant or collinear). */
  kept: number[];
  dropped: { index: number; reason: 'constant' | 'collinear' }[];
}

// Relative residual norm below which a covariate column counts as a combination of the earlier
// ones (plink2 also drops such columns with a warning rather than producing NaN).
const COLLINEAR_TOL = 1e-8;

/** Modified Gram-Schmidt (twice, for orthogonality to ~1e-16) on centred columns. */
export function buildProjection(cols: Float64Array[], n: number): Projection {
  const basis: Float64Array[] = [];
  const kept: number[] = [];
  const dropped: Projection['dropped'] = [];
  for (let j = 0; j < cols.length; j++) {
    const v = Float64Array.from(cols[j].subarray(0, n));
    let mean = 0;
    for (let i = 0; i < n; i++) mean += v[i];
    mean /= n;
    let norm0 = 0;
    for (let i = 0; i < n; i++) {
      v[i] -= mean;
      norm0 += v[i] * v[i];
    }
    let scale = 0;
    for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(cols[j][i]));
    if (norm0 <= scale * scale * n * 1e-24 || norm0 === 0) {
      dropped.push({ index: j, reason: 'constant' });
      continue;
    }
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += b[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= dot * b[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i] * v[i];
    if (norm <= norm0 * COLLINEAR_TOL * COLLINEAR_TOL) {
      dropped.push({ index: j, reason: 'collinear' });
      continue;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < n; i++) v[i] *= inv;
    basis.push(v);
    kept.push(j);
  }
  const r = basis.length;
  const q = new Float64Array(r * n);
  for (let l = 0; l < r; l++) q.set(basis[l], l * n);
  return { n, r, q, kept, dropped };
}

/** In place: centre v and remove its projection on Q. Returns the residual sum of squares. */
export function residualize(v: Float64Array, q: Float64Array, r: number, n: number): number {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += v[i];
  mean /= n;
  for (let i = 0; i < n; i++) v[i] -= mean;
  for (let pass = 0; pass < 2; pass++) {
    for (let l = 0; l < r; l++) {
      const off = l * n;
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[off + i] * v[i];
      for (let i = 0; i < n; i++) v[i] -= dot * q[off + i];
    }
  }
  let ss = 0;
  for (let i = 0; i < n; i++) ss += v[i] * v[i];
  return ss;
}
