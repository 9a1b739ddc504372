// Number formatting for output tables: %g-like with a fixed number of significant digits, trailing
// zeros trimmed, and p-values rendered from their logarithm so they never underflow to 0.

export const SIG_DIGITS = 7;

export function fmtG(x: number, digits = SIG_DIGITS): string {
  if (Number.isNaN(x)) return 'NA';
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const s = x.toPrecision(digits);
  const e = s.indexOf('e');
  if (e < 0) return s.indexOf('.') < 0 ? s : trimZeros(s);
  const mant = s.slice(0, e);
  return (mant.indexOf('.') < 0 ? mant : trimZeros(mant)) + s.slice(e);
}

function trimZeros(s: string): string {
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** A p-value from its natural log: plain when representable, else mantissa/exponent from log10. */
export function fmtPFromLog(logP: number, digits = SIG_DIGITS): string {
  if (Number.isNaN(logP)) return 'NA';
  if (logP >= 0) return '1';
  const p = Math.exp(logP);
  if (p >= 1e-300) return fmtG(p, digits);
  const l10 = logP / Math.LN10;
  let exp = Math.floor(l10);
  let mant = Math.pow(10, l10 - exp);
  let ms = mant.toFixed(digits - 1);
  if (ms.startsWith('10')) {
    exp += 1;
    mant /= 10;
    ms = mant.toFixed(digits - 1);
  }
  return trimZeros(ms) + 'e' + exp;
}

/** Smallest positive normal double (below it exp and log lose precision). */
export const MIN_NORMAL = 2.2250738585072014e-308;

// ---------------------------------------------------------------------------------------------
// The same text written straight into bytes (why: docs/decisions/0006-rows-as-bytes-sized-from-previous-chunk.md):
// the digits come from one scaled multiply and integer arithmetic, the decimal exponent from the
// double's exponent bits, digits written two at a time. Scaling is within a few ulps, so whenever
// the scaled value lies within 1e-6 of a rounding tie (or outside the plain range) the exact
// toPrecision path decides instead: the bytes always equal fmtG's (tested against it).

const P10 = new Float64Array(309);
for (let k = 0; k < 309; k++) P10[k] = Number('1e' + k);
// "00".."99": two digits per integer division.
const PAIRS = new Uint8Array(200);
for (let k = 0; k < 100; k++) {
  PAIRS[2 * k] = 48 + ((k / 10) | 0);
  PAIRS[2 * k + 1] = 48 + (k % 10);
}
// The double's binary exponent gives the decimal one to within one, without Math.log10: by biased
// exponent be (2^b <= a < 2^(b+1), b = be - 1023), E10[be] = floor(b log10 2) and NEXT10[be] the
// double nearest 10^(E10[be] + 1), from which on the decimal exponent is one more.
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LOG10_2 = 0.3010299956639812;
const E10 = new Int32Array(2048);
const NEXT10 = new Float64Array(2048);
for (let be = 1; be < 2047; be++) {
  E10[be] = Math.floor((be - 1023) * LOG10_2);
  NEXT10[be] = Number(`1e${E10[be] + 1}`);
}

/** Write fmtG(x, digits)'s text (ASCII) at out[o..]; returns the new end. out needs 32 bytes free. */
export function writeG(out: Uint8Array, o: number, x: number, digits: number): number {
  if (x === 0) {
    out[o] = 48;
    return o + 1;
  }
  const a = x < 0 ? -x : x;
  // Beyond 9 digits the scaled value nears 2^53 and its rounding error nears the tie guard.
  if (!(a >= 1e-290 && a < 1e290) || digits > 9) return writeAscii(out, o, fmtG(x, digits));
  // Sign and exponent from the bits, the rounding by floor: no branch on the sign, the exponent's
  // correction or the rounding direction, which no predictor learns (0302, session 12).
  F64[0] = x;
  const hi = U32[1];
  const be = (hi >>> 20) & 2047;
  let e = E10[be] + +(a >= NEXT10[be]);
  let p = digits - 1 - e;
  let y = p >= 0 ? a * P10[p] : a / P10[-p];
  const lo = P10[digits - 1];
  if (y >= lo * 10) {
    // a just below a power of ten whose scaling rounded up to 10^digits.
    e++;
    p--;
    y = p >= 0 ? a * P10[p] : a / P10[-p];
  }
  // One compare, not fr > 0.499999 && fr < 0.500001: the first half of that is a coin toss.
  const fr = y - Math.floor(y);
  if (Math.abs(fr - 0.5) < 0.000001) return writeAscii(out, o, fmtG(x, digits));
  // y < 10^9, so y + 0.5 is exact: fl + 1 when fr > 0.5, else fl (fr = 0.5 went above).
  let n = Math.floor(y + 0.5);
  if (n >= lo * 10) {
    // Rounded up to the next power of ten (9.9999996 -> 10.00000).
    n = lo;
    e++;
  }
  // Also catches a scaled value just under lo (a at a power of ten, scaling error downwards).
  if (!(n >= lo && n < lo * 10)) return writeAscii(out, o, fmtG(x, digits));
  out[o] = 45;
  o += hi >>> 31;
  // All the digits go where they end up ("0.000" first when e < 0, else one byte right of o, the
  // leading e + 1 of them then moved left over the point's place); trailing zeros and a bare point
  // are cut off the end. n < 10^9 < 2^31: int32 division by a constant (a multiply) per pair.
  const sci = e < -6 || e >= digits;
  let s = o + 1;
  if (!sci && e < 0) {
    out[o] = 48;
    out[o + 1] = 46;
    s = o + 2;
    for (let k = -1; k > e; k--) out[s++] = 48;
  }
  let i = s + digits;
  const end = i;
  let m = n | 0;
  while (i - s >= 2) {
    const q = (m / 100) | 0;
    const r = (m - q * 100) << 1;
    out[--i] = PAIRS[r + 1];
    out[--i] = PAIRS[r];
    m = q;
  }
  if (i > s) out[--i] = 48 + m;
  if (sci || e >= 0) {
    const ip = sci ? 0 : e;
    for (let k = 0; k <= ip; k++) out[o + k] = out[o + k + 1];
    out[o + ip + 1] = 46;
  }
  o = end;
  while (out[o - 1] === 48) o--;
  if (out[o - 1] === 46) o--;
  if (!sci) return o;
  out[o++] = 101;
  out[o++] = e < 0 ? 45 : 43;
  return writeUint(out, o, e < 0 ? -e : e);
}

/** fmtPFromLog's text written into bytes (see writeG). */
export function writePFromLog(out: Uint8Array, o: number, logP: number, digits: number): number {
  if (logP >= 0) {
    out[o] = 49;
    return o + 1;
  }
  const p = Math.exp(logP);
  if (p >= 1e-290) return writeG(out, o, p, digits);
  return writeAscii(out, o, fmtPFromLog(logP, digits));
}

/** A non-negative integer < 2^53 in decimal. */
export function writeUint(out: Uint8Array, o: number, v: number): number {
  if (v < 10) {
    out[o] = 48 + v;
    return o + 1;
  }
  if (v >= 2147483648) return writeAscii(out, o, String(v));
  // Count the digits, then write them backwards two at a time.
  let m = v | 0;
  let len = 2;
  for (let t = 100; t <= m && len < 10; t *= 10) len++;
  let i = o + len;
  while (m >= 10) {
    const q = (m / 100) | 0;
    const r = (m - q * 100) << 1;
    out[--i] = PAIRS[r + 1];
    out[--i] = PAIRS[r];
    m = q;
  }
  if (i > o) out[--i] = 48 + m;
  return o + len;
}

/** A string's chars as bytes (latin1: callers pass ASCII or latin1-decoded text). */
export function writeAscii(out: Uint8Array, o: number, s: string): number {
  for (let k = 0; k < s.length; k++) out[o++] = s.charCodeAt(k);
  return o;
}

let primed = false;
/**
 * Runs writeG, writePFromLog and writeUint once down each of their branches (negative, scientific
 * with either exponent sign, rounding up to a power of ten, a near tie, out of range, NaN, a large
 * integer), so that V8 has type feedback for every operation when it optimizes them: a branch first
 * taken by optimized code (a P below 1e-6 deep into a file) deoptimizes the function and every
 * caller it was inlined into (a worker's run compiled writeG 5 times, emitVariant twice). Once a thread.
 */
export function primeWriters(): void {
  if (primed) return;
  primed = true;
  const out = new Uint8Array(64);
  for (const x of [0, 1, -1, 0.5, -123.456, 1.5e-8, -2.5e-12, 2.5e12, -1234567.8, 9.99999996, 0.12345675, 1e-300, 1e300, NaN, Infinity, -Infinity])
    for (const digits of [6, 7, 12]) writeG(out, 0, x, digits);
  for (const lp of [0, -1, -20, -800, NaN]) writePFromLog(out, 0, lp, 7);
  for (const v of [0, 7, 42, 123456, 2 ** 31, 2 ** 40]) writeUint(out, 0, v);
}
