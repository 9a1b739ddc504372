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
