// IMPUTE2 .gen text encoding, built by hand for speed: each probability is rounded to 1/10000 (the
// three of a sample by largest remainder, so they sum to exactly 1) and copied from a table of the
// 10001 preformatted strings "0", "0.0001", ..., "0.9713", ..., "1" (trailing zeros trimmed, as
// IMPUTE2 prints). Missing genotypes are written "0 0 0".
import type { SimVariant } from './genotypes.js';

export const GEN_SCALE = 10000;
const SLOT = 8; // " 0.9713" (7 bytes) padded to 8

/** Per value v = 0..10000: a space and the text of v/10000 ("0", "0.0001", "0.9713", "1"). */
const TABLE = new Uint8Array((GEN_SCALE + 1) * SLOT);
/** Bytes of each entry, space included. */
const LEN = new Uint8Array(GEN_SCALE + 1);
for (let v = 0; v <= GEN_SCALE; v++) {
  let s: string;
  if (v === 0) s = '0';
  else if (v === GEN_SCALE) s = '1';
  else s = ('0.' + String(v).padStart(4, '0')).replace(/0+$/, '');
  s = ' ' + s;
  LEN[v] = s.length;
  for (let j = 0; j < s.length; j++) TABLE[v * SLOT + j] = s.charCodeAt(j);
}

/** Upper bound of the bytes one .gen line takes. */
export function maxGenLineBytes(v: SimVariant, nSamples: number): number {
  return 64 + v.chrName.length + v.snpid.length + v.rsid.length + v.a.length + v.b.length + nSamples * 3 * SLOT;
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
    // Non-negative and < 2^31: truncation is floor.
    let i0 = x0 | 0;
    let i1 = x1 | 0;
    let i2 = x2 | 0;
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
    // Copy " value" as a fixed 7-byte store (the slot holds the space, the text and padding) and
    // advance by the real length: later bytes overwrite the padding.
    let o = i0 << 3;
    buf[pos] = table[o];
    buf[pos + 1] = table[o + 1];
    buf[pos + 2] = table[o + 2];
    buf[pos + 3] = table[o + 3];
    buf[pos + 4] = table[o + 4];
    buf[pos + 5] = table[o + 5];
    buf[pos + 6] = table[o + 6];
    pos += len[i0];
    o = i1 << 3;
    buf[pos] = table[o];
    buf[pos + 1] = table[o + 1];
    buf[pos + 2] = table[o + 2];
    buf[pos + 3] = table[o + 3];
    buf[pos + 4] = table[o + 4];
    buf[pos + 5] = table[o + 5];
    buf[pos + 6] = table[o + 6];
    pos += len[i1];
    o = i2 << 3;
    buf[pos] = table[o];
    buf[pos + 1] = table[o + 1];
    buf[pos + 2] = table[o + 2];
    buf[pos + 3] = table[o + 3];
    buf[pos + 4] = table[o + 4];
    buf[pos + 5] = table[o + 5];
    buf[pos + 6] = table[o + 6];
    pos += len[i2];
  }
  buf[pos++] = 10;
  return pos;
}
