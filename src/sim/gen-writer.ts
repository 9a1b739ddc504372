// IMPUTE2 .gen text encoding, built by hand for speed: each probability is rounded to 1/10000 (the
// three of a sample by largest remainder, so they sum to exactly 1) and copied from a table of the
// 10001 preformatted strings "0", "0.0001", ..., "0.9713", ..., "1" (trailing zeros trimmed, as
// IMPUTE2 prints). Missing genotypes are written "0 0 0".
import type { SimVariant } from './genotypes.js';

export const GEN_SCALE = 10000;
const SLOT = 6; // longest string: "0.9713"

const TABLE = new Uint8Array((GEN_SCALE + 1) * SLOT);
const LEN = new Uint8Array(GEN_SCALE + 1);
for (let v = 0; v <= GEN_SCALE; v++) {
  let s: string;
  if (v === 0) s = '0';
  else if (v === GEN_SCALE) s = '1';
  else s = ('0.' + String(v).padStart(4, '0')).replace(/0+$/, '');
  LEN[v] = s.length;
  for (let j = 0; j < s.length; j++) TABLE[v * SLOT + j] = s.charCodeAt(j);
}

/** The text for a probability given in units of 1/10000. */
export function genProbString(v: number): string {
  return String.fromCharCode(...TABLE.subarray(v * SLOT, v * SLOT + LEN[v]));
}

/**
 * Round three probabilities (summing to ~1) to integers in units of 1/10000 that sum to exactly
 * 10000: floor each, then round up the largest fractional parts. Writes into out[0..2].
 */
export function roundGenTriple(p0: number, p1: number, p2: number, out: Int32Array): void {
  const x0 = p0 * GEN_SCALE;
  const x1 = p1 * GEN_SCALE;
  const x2 = p2 * GEN_SCALE;
  let i0 = Math.floor(x0);
  let i1 = Math.floor(x1);
  let i2 = Math.floor(x2);
  let f0 = x0 - i0;
  let f1 = x1 - i1;
  let f2 = x2 - i2;
  let d = GEN_SCALE - i0 - i1 - i2;
  while (d > 0) {
    if (f0 >= f1 && f0 >= f2) {
      i0++;
      f0 = -1;
    } else if (f1 >= f2) {
      i1++;
      f1 = -1;
    } else {
      i2++;
      f2 = -1;
    }
    d--;
  }
  while (d < 0) {
    // Only when the input sums to more than 1: take from the largest.
    if (i0 >= i1 && i0 >= i2) i0--;
    else if (i1 >= i2) i1--;
    else i2--;
    d++;
  }
  out[0] = i0;
  out[1] = i1;
  out[2] = i2;
}

/** Upper bound of the bytes one .gen line takes. */
export function maxGenLineBytes(v: SimVariant, nSamples: number): number {
  return 64 + v.chrName.length + v.snpid.length + v.rsid.length + v.a.length + v.b.length + nSamples * 3 * (SLOT + 1);
}

/**
 * Encode one line `CHR SNPID RSID POS A B p1 p2 p3 ...\n` into buf at pos (which must have
 * maxGenLineBytes of room); returns the new position.
 */
export function encodeGenLine(v: SimVariant, nSamples: number, buf: Buffer, pos: number): number {
  pos += buf.write(`${v.chrName} ${v.snpid} ${v.rsid} ${v.pos} ${v.a} ${v.b}`, pos, 'latin1');
  const probs = v.probs;
  const missing = v.missing;
  const table = TABLE;
  const len = LEN;
  for (let i = 0, k = 0; i < nSamples; i++, k += 3) {
    if (missing[i]) {
      buf[pos] = 32;
      buf[pos + 1] = 48;
      buf[pos + 2] = 32;
      buf[pos + 3] = 48;
      buf[pos + 4] = 32;
      buf[pos + 5] = 48;
      pos += 6;
      continue;
    }
    // Inline largest-remainder rounding (see roundGenTriple).
    const x0 = probs[k] * GEN_SCALE;
    const x1 = probs[k + 1] * GEN_SCALE;
    const x2 = probs[k + 2] * GEN_SCALE;
    let i0 = Math.floor(x0);
    let i1 = Math.floor(x1);
    let i2 = Math.floor(x2);
    let d = GEN_SCALE - i0 - i1 - i2;
    if (d !== 0) {
      let f0 = x0 - i0;
      let f1 = x1 - i1;
      let f2 = x2 - i2;
      while (d > 0) {
        if (f0 >= f1 && f0 >= f2) {
          i0++;
          f0 = -1;
        } else if (f1 >= f2) {
          i1++;
          f1 = -1;
        } else {
          i2++;
          f2 = -1;
        }
        d--;
      }
      while (d < 0) {
        if (i0 >= i1 && i0 >= i2) i0--;
        else if (i1 >= i2) i1--;
        else i2--;
        d++;
      }
    }
    let o = i0 * SLOT;
    let l = len[i0];
    buf[pos++] = 32;
    for (let j = 0; j < l; j++) buf[pos++] = table[o + j];
    o = i1 * SLOT;
    l = len[i1];
    buf[pos++] = 32;
    for (let j = 0; j < l; j++) buf[pos++] = table[o + j];
    o = i2 * SLOT;
    l = len[i2];
    buf[pos++] = 32;
    for (let j = 0; j < l; j++) buf[pos++] = table[o + j];
  }
  buf[pos++] = 10;
  return pos;
}
