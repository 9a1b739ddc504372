// Quantiles of Beta(i, n - i + 1), the distribution of the i-th smallest of n uniform p-values: the
// QQ plot's 95% band. Computed as log x so that tiny quantiles (i = 1, n = 10^7) keep their size.
import { logIncBeta, qnormLower } from '../stats/distributions.js';

/** log of the q-quantile of Beta(a, b) (0 < q < 1). */
export function logQBeta(q: number, a: number, b: number): number {
  if (a === 1) {
    // I_x(1, b) = 1 - (1 - x)^b
    return Math.log(-Math.expm1(Math.log1p(-q) / b));
  }
  if (b === 1) return Math.log(q) / a; // I_x(a, 1) = x^a
  if (a > 1000 && b > 1000) {
    // Large parameters: the beta is normal to well under a pixel on the -log10 scale.
    const s = a + b;
    const mu = a / s;
    const sd = Math.sqrt((a * b) / (s * s * (s + 1)));
    const x = mu + qnormLower(q) * sd;
    return Math.log(Math.min(Math.max(x, Number.MIN_VALUE), 1));
  }
  const logQ = Math.log(q);
  const f = (t: number) => logIncBeta(Math.exp(t), a, b) - logQ;
  let hi = Math.min(0, Math.log(a / (a + b)) + 5);
  while (f(hi) < 0 && hi < 0) hi = Math.min(0, hi + 5);
  let lo = Math.log(a / (a + b)) - 5;
  while (f(lo) > 0 && lo > -740) lo -= 10;
  for (let k = 0; k < 60 && hi - lo > 1e-12; k++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
