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

// ---------------------------------------------------------------------------------------------
// The same text written straight into bytes. toPrecision plus string building was ~20% of worker
// time at 157 samples; here the digits come from one scaled multiply and integer arithmetic.
// Scaling is within a few ulps, so whenever the scaled value lies within 1e-6 of a rounding tie
// (or outside the plain range) the exact toPrecision path decides instead: the bytes always equal
// fmtG's (tested against it on millions of values).

const P10 = new Float64Array(309);
for (let k = 0; k < 309; k++) P10[k] = Number('1e' + k);
const DIG = new Uint8Array(20);

/** Write fmtG(x, digits)'s text (ASCII) at out[o..]; returns the new end. out needs 32 bytes free. */
export function writeG(out: Uint8Array, o: number, x: number, digits: number): number {
  if (x === 0) {
    out[o] = 48;
    return o + 1;
  }
  const a = x < 0 ? -x : x;
  // Beyond 9 digits the scaled value nears 2^53 and its rounding error nears the tie guard.
  if (!(a >= 1e-290 && a < 1e290) || digits > 9) return writeAscii(out, o, fmtG(x, digits));
  let e = Math.floor(Math.log10(a));
  let p = digits - 1 - e;
  let y = p >= 0 ? a * P10[p] : a / P10[-p];
  const lo = P10[digits - 1];
  if (y < lo) {
    e--;
    p++;
    y = p >= 0 ? a * P10[p] : a / P10[-p];
  } else if (y >= lo * 10) {
    e++;
    p--;
    y = p >= 0 ? a * P10[p] : a / P10[-p];
  }
  const fl = Math.floor(y);
  const fr = y - fl;
  if (fr > 0.499999 && fr < 0.500001) return writeAscii(out, o, fmtG(x, digits));
  let n = fr > 0.5 ? fl + 1 : fl;
  if (n >= lo * 10) {
    // Rounded up to the next power of ten (9.9999996 -> 10.00000).
    n = lo;
    e++;
  }
  if (!(n >= lo && n < lo * 10)) return writeAscii(out, o, fmtG(x, digits));
  if (x < 0) out[o++] = 45;
  // Digits, most significant first, and how many remain once trailing zeros go.
  // n < 10^9 < 2^31: int32 division by a constant (a multiply), not a float division per digit.
  let nd = digits;
  let m = n | 0;
  for (let k = digits - 1; k >= 0; k--) {
    const q = (m / 10) | 0;
    DIG[k] = m - q * 10;
    m = q;
  }
  while (nd > 1 && DIG[nd - 1] === 0) nd--;
  if (e < -6 || e >= digits) {
    out[o++] = 48 + DIG[0];
    if (nd > 1) {
      out[o++] = 46;
      for (let k = 1; k < nd; k++) out[o++] = 48 + DIG[k];
    }
    out[o++] = 101;
    out[o++] = e < 0 ? 45 : 43;
    return writeUint(out, o, e < 0 ? -e : e);
  }
  if (e >= 0) {
    for (let k = 0; k <= e; k++) out[o++] = 48 + DIG[k];
    if (nd > e + 1) {
      out[o++] = 46;
      for (let k = e + 1; k < nd; k++) out[o++] = 48 + DIG[k];
    }
    return o;
  }
  out[o++] = 48;
  out[o++] = 46;
  for (let k = -1; k > e; k--) out[o++] = 48;
  for (let k = 0; k < nd; k++) out[o++] = 48 + DIG[k];
  return o;
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
  let k = 0;
  while (v >= 2147483648) {
    const q = Math.floor(v / 10);
    DIG[k++] = v - q * 10;
    v = q;
  }
  let m = v | 0;
  while (m >= 10) {
    const q = (m / 10) | 0;
    DIG[k++] = m - q * 10;
    m = q;
  }
  v = m;
  out[o++] = 48 + v;
  while (k > 0) out[o++] = 48 + DIG[--k];
  return o;
}

/** A string's chars as bytes (latin1: callers pass ASCII or latin1-decoded text). */
export function writeAscii(out: Uint8Array, o: number, s: string): number {
  for (let k = 0; k < s.length; k++) out[o++] = s.charCodeAt(k);
  return o;
}
