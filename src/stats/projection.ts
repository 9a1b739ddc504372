// Covariate projection. For a sample set S and covariates C (intercept implicit), we build an
// orthonormal basis Q of the centred covariate columns once; a variant's regression then needs only
// Q'd, d'd and d'y_r, where y_r is the phenotype with the covariates projected out. This is the
// Frisch-Waugh-Lovell identity: the dosage coefficient of y ~ 1 + d + C equals that of y_r ~ d_r.
import { dotAt, maxAbs, scaleBy, subScaledAt, subtract, subtractSumSq, sumAt } from './vec.js';

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
    const mean = sumAt(v, 0, n) / n;
    const norm0 = subtractSumSq(v, mean, n);
    const scale = maxAbs(cols[j], n);
    if (norm0 <= scale * scale * n * 1e-24 || norm0 === 0) {
      dropped.push({ index: j, reason: 'constant' });
      continue;
    }
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) subScaledAt(v, 0, dotAt(b, 0, v, 0, n), b, 0, n);
    }
    const norm = dotAt(v, 0, v, 0, n);
    if (norm <= norm0 * COLLINEAR_TOL * COLLINEAR_TOL) {
      dropped.push({ index: j, reason: 'collinear' });
      continue;
    }
    scaleBy(v, 1 / Math.sqrt(norm), n);
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
  subtract(v, sumAt(v, 0, n) / n, n);
  for (let pass = 0; pass < 2; pass++) {
    for (let l = 0; l < r; l++) subScaledAt(v, 0, dotAt(q, l * n, v, 0, n), q, l * n, n);
  }
  return dotAt(v, 0, v, 0, n);
}
