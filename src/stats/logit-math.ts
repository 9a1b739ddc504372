// The logistic fits' sigmoid pass in JavaScript: the twin of `sig` in src/wasm/logit.wat (same
// constants, same operations in the same order, no fused multiply-add), so both paths give the same
// bits (test/logistic-wasm.test.ts). e^x and ln(1 + u) are our own polynomials, not Math.exp and
// Math.log1p, because V8's are not reproducible in WebAssembly. Why: docs/decisions/0210 (session 9).

// Range reduction by ln 2: k = round(x log2 e) via the 1.5 * 2^52 trick (round half to even, as
// f64 addition rounds), ln 2 = LN2_HI + LN2_LO with LN2_HI's last 11 bits zero (k LN2_HI is exact
// for |k| < 2^11).
const LOG2E = Math.LOG2E; // 0x1.71547652b82fep+0
const SHIFT = 6755399441055744; // 1.5 * 2^52
const LN2_HI = 0.6931471805598903; // 0x1.62e42fefa3800p-1
const LN2_LO = 5.497923018708371e-14; // 0x1.ef35793c76730p-45
// e^x is 0 below this (e^-745.2 is half the smallest subnormal).
const EXP_MIN = -746;
// Taylor coefficients 1/n! of e^r, |r| <= ln2/2: the r^14 remainder is < 0.05 ulp.
const E2 = 1 / 2;
const E3 = 1 / 6;
const E4 = 1 / 24;
const E5 = 1 / 120;
const E6 = 1 / 720;
const E7 = 1 / 5040;
const E8 = 1 / 40320;
const E9 = 1 / 362880;
const E10 = 1 / 3628800;
const E11 = 1 / 39916800;
const E12 = 1 / 479001600;
const E13 = 1 / 6227020800;
// POW2N[j] = 2^-j, for the scaling by 2^k in two halves (k >= -1077, each half >= -539: normal).
const POW2N = Float64Array.from({ length: 541 }, (_, j) => 2 ** -j);
// ln f = 2 atanh s: coefficients 2/(2j+1) of s^2j, j = 1..11 (|s| <= 0.1716: remainder < 0.01 ulp).
const L3 = 2 / 3;
const L5 = 2 / 5;
const L7 = 2 / 7;
const L9 = 2 / 9;
const L11 = 2 / 11;
const L13 = 2 / 13;
const L15 = 2 / 15;
const L17 = 2 / 17;
const L19 = 2 / 19;
const L21 = 2 / 21;
const L23 = 2 / 23;

/**
 * e^x for x <= 0 (and NaN), within 1 ulp: x = k ln 2 + r, e^r = 1 + (r + r^2 P(r)), times 2^k1 2^k2 with
 * k1 = floor(k/2), k2 = k - k1, so that only a subnormal result is rounded by the scaling.
 */
export function expNeg(x: number): number {
  const xc = x < EXP_MIN ? EXP_MIN : x;
  const t = xc * LOG2E + SHIFT;
  const k = t - SHIFT;
  const r = xc - k * LN2_HI - k * LN2_LO;
  const r2 = r * r;
  const r4 = r2 * r2;
  // P(r) = 1/2! + r/3! + ... + r^11/13! by Estrin's scheme, as the wat groups it.
  const p0 = E2 + E3 * r + r2 * (E4 + E5 * r);
  const p1 = E6 + E7 * r + r2 * (E8 + E9 * r);
  const p2 = E10 + E11 * r + r2 * (E12 + E13 * r);
  const p = 1 + (r + r2 * (p0 + r4 * (p1 + r4 * p2)));
  const k1 = k >> 1;
  return p * POW2N[-k1] * POW2N[k1 - k];
}

/**
 * ln(1 + u) for 0 <= u <= 1 (and NaN), within 1 ulp: m = 1 + u rounded and c = (u - (m - 1)) / m
 * its rounding error; m = 2^j f with f in (sqrt(1/2), sqrt 2]; d = f - 1 (exact), s = d / (2 + d),
 * ln f = 2 atanh s = d - s (d - R(s^2)); ln(1 + u) = j LN2_HI + (ln f + (c + j LN2_LO)).
 */
export function log1pUnit(u: number): number {
  const m = 1 + u;
  const c = (u - (m - 1)) / m;
  const big = m > Math.SQRT2;
  const f = big ? m * 0.5 : m;
  const d = f - 1;
  const s = d / (2 + d);
  const z = s * s;
  let q = L23;
  q = q * z + L21;
  q = q * z + L19;
  q = q * z + L17;
  q = q * z + L15;
  q = q * z + L13;
  q = q * z + L11;
  q = q * z + L9;
  q = q * z + L7;
  q = q * z + L5;
  q = q * z + L3;
  const lnf = d - s * (d - q * z);
  return (big ? LN2_HI : 0) + (lnf + (c + (big ? LN2_LO : 0)));
}

/**
 * The sigmoid pass of a logistic fit over n samples, from eta = X b: ex = e^-|eta|,
 * pr = (eta >= 0 ? 1 : ex) / (1 + ex), w = act pr (1 - pr), r = act (y - pr). With wantLL, returns
 * the log-likelihood: minus the sum over samples with act != 0 of max(+-eta, 0) + ln(1 + ex) (-eta
 * for cases), in four partial sums by i mod 4 added as (s0 + s2) + (s1 + s3); else 0.
 */
export function sigmoid(eta: Float64Array, act: Float64Array, y: Float64Array, pr: Float64Array, w: Float64Array, r: Float64Array, n: number, wantLL: boolean): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < n; i++) {
    const e = eta[i];
    const a = act[i];
    const ex = expNeg(-Math.abs(e));
    const p = (e >= 0 ? 1 : ex) / (1 + ex);
    pr[i] = p;
    w[i] = a * p * (1 - p);
    r[i] = a * (y[i] - p);
    if (wantLL) {
      const ey = y[i] !== 0 ? -e : e;
      const term = a !== 0 ? (ey < 0 ? 0 : ey) + log1pUnit(ex) : 0;
      const j = i & 3;
      if (j === 0) s0 += term;
      else if (j === 1) s1 += term;
      else if (j === 2) s2 += term;
      else s3 += term;
    }
  }
  return wantLL ? -(s0 + s2 + (s1 + s3)) : 0;
}
