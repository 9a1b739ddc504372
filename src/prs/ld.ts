// Linkage disequilibrium r^2 between two variants over the LD samples, two ways:
//
//  * 'plink1.9' (default): what plink 1.9's --clump computes (PRSice-2 carries the same code):
//    genotypes hard-called (a dosage within 0.1 of 0, 1 or 2, else missing: plink2's import rule),
//    the 3x3 table of genotype pairs over samples called at both, haplotype frequencies by the
//    maximum-likelihood (EM) solution of the two-locus cubic, and r^2 = D^2 / (p1 q1 p2 q2). This
//    reproduces plink 1.9 b6.26's em_phase_hethet_nobase with its tolerances (autosomal model: no
//    haploid handling of chrX in males). It is not the squared genotype correlation: the two differ
//    by up to ~0.1 on the test fixture, and near the --clump-r2 bound they fall on different sides
//    (there the dosage method gives plink's index variants at --clump-r2 0.05-0.2, not at 0.3-0.8).
//    Checked against plink 1.9's printed RSQ for all 1,352 variant pairs of the fixture.
//  * 'dosage': the squared Pearson correlation of the dosages, over the samples where both dosages
//    are present. Uses the imputed dosages as they are (no hard calls).
import { DOSAGE_UNIT, MISSING_Q } from './store.js';

export type LdMethod = 'dosage' | 'plink1.9';

/** Per-record data cached for the dosage method: the record itself. */
export function prepareDosage(rec: Uint16Array): Uint16Array {
  return rec.slice();
}

/** Squared correlation over pairwise-complete samples; NaN when either is constant there. */
export function r2Dosage(a: Uint16Array, b: Uint16Array): number {
  const n = a.length;
  let m = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === MISSING_Q || y === MISSING_Q) continue;
    m++;
    sa += x;
    sb += y;
  }
  if (m < 2) return NaN;
  const ma = sa / m;
  const mb = sb / m;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === MISSING_Q || y === MISSING_Q) continue;
    const dx = x - ma;
    const dy = y - mb;
    saa += dx * dx;
    sbb += dy * dy;
    sab += dx * dy;
  }
  if (!(saa > 0) || !(sbb > 0)) return NaN;
  return (sab * sab) / (saa * sbb);
}

const HARD_CALL_MAX_DISTANCE = 0.1 * DOSAGE_UNIT;

/** Hard calls (0, 1, 2 copies; 3 = missing) from a record, as plink2 makes them on import. */
export function prepareHardCalls(rec: Uint16Array): Uint8Array {
  const out = new Uint8Array(rec.length);
  for (let i = 0; i < rec.length; i++) {
    const q = rec[i];
    if (q === MISSING_Q) {
      out[i] = 3;
      continue;
    }
    const g = Math.round(q / DOSAGE_UNIT);
    out[i] = Math.abs(q - g * DOSAGE_UNIT) <= HARD_CALL_MAX_DISTANCE ? g : 3;
  }
  return out;
}

const counts = new Float64Array(9);

/** plink 1.9 --clump r^2 (unsigned) between hard-called variants; NaN when the EM has no answer. */
export function r2HardCallEm(index: Uint8Array, other: Uint8Array): number {
  counts.fill(0);
  const n = index.length;
  for (let i = 0; i < n; i++) {
    const x = index[i];
    const y = other[i];
    if (x === 3 || y === 3) continue;
    // plink's rows/columns run hom-A1, het, hom-A2: 2 - (copies of the counted allele).
    counts[3 * (2 - x) + (2 - y)]++;
  }
  return r2FromCounts(counts);
}

// plink 1.9's tolerances (plink_common.h).
const EPSILON = 2 ** -30;
const SMALLISH_EPSILON = 2 ** -35;
const SMALL_EPSILON = 2 ** -44;

/** r^2 from the 3x3 genotype-pair table (row = first variant, column = second). */
export function r2FromCounts(c: ArrayLike<number>): number {
  const known11 = 2 * c[0] + c[1] + c[3];
  const known12 = 2 * c[2] + c[1] + c[5];
  const known21 = 2 * c[6] + c[3] + c[7];
  const known22 = 2 * c[8] + c[5] + c[7];
  const f = emPhaseHethet(known11, known12, known21, known22, c[4]);
  if (f === null) return NaN;
  const expected = f.fx1 * f.f1x;
  const d = f.f11 - expected;
  if (Math.abs(d) < SMALL_EPSILON) return 0;
  return Math.abs((d * d) / (expected * f.f2x * f.fx2));
}

const sol = new Float64Array(3);

/** Real roots of x^3 + a x^2 + b x + c into `out`, ascending, distinct within EPSILON; returns count. */
export function cubicRealRoots(a: number, b: number, c: number, out: Float64Array): number {
  const a2 = a * a;
  const qq = (a2 - 3 * b) * (1.0 / 9.0);
  const rr = (2 * a2 * a - 9 * a * b + 27 * c) * (1.0 / 54.0);
  const r2 = rr * rr;
  const q3 = qq * qq * qq;
  const adiv3 = a * (1.0 / 3.0);
  let sq: number;
  let dxx: number;
  if (r2 < q3) {
    sq = Math.sqrt(qq);
    dxx = Math.acos(rr / (qq * sq)) * (1.0 / 3.0);
    sq *= -2;
    out[0] = sq * Math.cos(dxx) - adiv3;
    out[1] = sq * Math.cos(dxx + (2.0 * Math.PI) / 3.0) - adiv3;
    out[2] = sq * Math.cos(dxx - (2.0 * Math.PI) / 3.0) - adiv3;
    if (out[0] > out[1]) {
      dxx = out[0];
      out[0] = out[1];
      if (dxx > out[2]) {
        out[1] = out[2];
        out[2] = dxx;
      } else {
        out[1] = dxx;
      }
      if (out[0] > out[1]) {
        dxx = out[0];
        out[0] = out[1];
        out[1] = dxx;
      }
    } else if (out[1] > out[2]) {
      dxx = out[1];
      out[1] = out[2];
      out[2] = dxx;
    }
    if (out[1] - out[0] < EPSILON) {
      out[1] = out[2];
      return out[1] - out[0] < EPSILON ? 1 : 2;
    }
    return out[2] - out[1] < EPSILON ? 2 : 3;
  }
  dxx = -Math.pow(Math.abs(rr) + Math.sqrt(r2 - q3), 1.0 / 3.0);
  if (dxx === 0) {
    out[0] = -adiv3;
    return 1;
  }
  if (rr < 0) dxx = -dxx;
  sq = qq / dxx;
  out[0] = dxx + sq - adiv3;
  if (Math.abs(dxx - sq) >= EPSILON * 8) return 1;
  if (dxx >= 0) {
    out[1] = out[0];
    out[0] = -dxx - adiv3;
  } else {
    out[1] = -dxx - adiv3;
  }
  return 2;
}

function lnLike(k11: number, k12: number, k21: number, k22: number, center: number, f11: number, f12: number, f21: number, f22: number, half: number, incr: number): number {
  f11 += incr;
  f22 += incr;
  f12 += half - incr;
  f21 += half - incr;
  let l = center * Math.log(f11 * f22 + f12 * f21);
  if (k11 !== 0) l += k11 * Math.log(f11);
  if (k12 !== 0) l += k12 * Math.log(f12);
  if (k21 !== 0) l += k21 * Math.log(f21);
  if (k22 !== 0) l += k22 * Math.log(f22);
  return l;
}

interface HapFreqs {
  f1x: number;
  f2x: number;
  fx1: number;
  fx2: number;
  f11: number;
}

/**
 * Two-locus haplotype frequencies from the known haplotype counts and the double-heterozygote count
 * (plink 1.9 em_phase_hethet); null when a variant is monomorphic over the valid observations.
 */
export function emPhaseHethet(k11: number, k12: number, k21: number, k22: number, centerCt: number): HapFreqs | null {
  const center = centerCt;
  const twiceTot = k11 + k12 + k21 + k22 + 2 * center;
  if (twiceTot === 0) return null;
  const recip = 1.0 / twiceTot;
  let f11 = k11 * recip;
  const f12 = k12 * recip;
  const f21 = k21 * recip;
  const f22 = k22 * recip;
  const p1122 = f11 * f22;
  const p1221 = f12 * f21;
  const half = center * recip;
  const f1x = f11 + f12 + half;
  const f2x = 1.0 - f1x;
  const fx1 = f11 + f21 + half;
  const fx2 = 1.0 - fx1;
  let start = 0;
  let end = 1;
  if (center) {
    if (p1122 !== 0 || p1221 !== 0) {
      end = cubicRealRoots(0.5 * (f11 + f22 - f12 - f21 - 3 * half), 0.5 * (p1122 + p1221 + half * (f12 + f21 - f11 - f22 + half)), -0.5 * half * p1122, sol);
      while (end && sol[end - 1] > half + SMALLISH_EPSILON) end--;
      while (start < end && sol[start] < -SMALLISH_EPSILON) start++;
      if (start === end) {
        start = 0;
        end = 2;
        sol[0] = 0;
        sol[1] = half;
      } else {
        if (sol[start] < 0) sol[start] = 0;
        if (sol[end - 1] > half) sol[end - 1] = half;
      }
    } else {
      sol[0] = 0;
      const xx = f11 + f22;
      const xy = f12 + f21;
      if (xx + SMALLISH_EPSILON < half + xy && xy + SMALLISH_EPSILON < half + xx) {
        end = 3;
        sol[1] = (half + xy - xx) * 0.5;
        sol[2] = half;
      } else {
        end = 2;
        sol[1] = half;
      }
    }
    let best = sol[start];
    if (end > start + 1) {
      // plink keeps comparing against the first solution's likelihood (it never updates the best
      // likelihood), so the last solution beating the first wins; reproduced as is.
      const bestLnlike = lnLike(k11, k12, k21, k22, center, f11, f12, f21, f22, half, best);
      for (let i = start + 1; i < end; i++) {
        const incr = sol[i];
        const cur = lnLike(k11, k12, k21, k22, center, f11, f12, f21, f22, half, incr);
        if (cur > bestLnlike) best = incr;
      }
    }
    f11 += best;
  } else if (p1122 === 0 && p1221 === 0) {
    return null;
  }
  return { f1x, f2x, fx1, fx2, f11 };
}
