// Comparing logistic results with plink2 --glm goldens (see the tolerance note on compareLogistic).
import { closeToPrinted, readTable } from './helpers.js';

export interface Row {
  key: string;
  a1: string;
  n: number;
  beta: number;
  se: number;
  z: number;
  p: number;
  firth: boolean;
  err: string;
}

/** Our case/control table's rows by CHR:BP. */
export function rowsOfTable(file: string): Map<string, Row> {
  const t = readTable(file);
  const c = (n: string) => t.header.indexOf(n);
  const m = new Map<string, Row>();
  for (const r of t.rows) {
    const num = (n: string) => (r[c(n)] === 'NA' ? NaN : Number(r[c(n)]));
    m.set(`${r[c('CHR')]}:${r[c('BP')]}`, { key: r[c('SNP')], a1: r[c('A1')], n: num('N'), beta: num('BETA'), se: num('SE'), z: num('Z'), p: num('P'), firth: r[c('FIRTH')] === 'Y', err: '' });
  }
  return m;
}

/**
 * plink2 2.00a3.5 fits logistic and Firth models in single precision: its BETA and SE carry float
 * noise (median 2e-5 relative, up to ~2% for SE; see docs/logistic.md), so its printed digits are
 * not all meaningful. Rows plink2 finished (ERRCODE '.') must agree within 2% of an SE in BETA and
 * Z and 3% in SE; its UNFINISHED rows (iteration cap hit) are compared for presence, N and FIRTH.
 */
export function compareLogistic(ours: Map<string, Row>, goldenFile: string, hasFirth: boolean) {
  const ref = readTable(goldenFile);
  const golden = goldenFile;
  const c = (n: string) => ref.header.indexOf(n);
  const problems: string[] = [];
  const flagDiff: string[] = [];
  let compared = 0;
  let firthRows = 0;
  for (const r of ref.rows) {
    const o = ours.get(`${r[c('CHROM')]}:${r[c('POS')]}`);
    if (!o) {
      problems.push(`missing ${r[c('ID')]}`);
      continue;
    }
    compared++;
    const flip = o.a1 === r[c('A1')] ? 1 : -1;
    const id = r[c('ID')];
    const err = r[c('ERRCODE')];
    if (String(o.n) !== r[c('OBS_CT')]) problems.push(`${id}: N ${o.n} vs ${r[c('OBS_CT')]}`);
    if (hasFirth) {
      const f = r[c('FIRTH?')] === 'Y';
      if (f) firthRows++;
      if (f !== o.firth) (err === 'UNFINISHED' ? flagDiff : problems).push(`${id}: FIRTH ${o.firth ? 'Y' : 'N'} vs ${r[c('FIRTH?')]} (${err})`);
    }
    if (r[c('BETA')] === 'NA') {
      if (!Number.isNaN(o.beta)) problems.push(`${id}: ours ${o.beta}, plink2 NA (${err})`);
      continue;
    }
    if (err !== '.') continue;
    const se = Number(r[c('SE')]);
    if (!(Math.abs(flip * o.beta - Number(r[c('BETA')])) <= 0.02 * se)) problems.push(`${id}: BETA ${flip * o.beta} vs ${r[c('BETA')]}`);
    if (!(Math.abs(o.se - se) <= 0.03 * se)) problems.push(`${id}: SE ${o.se} vs ${se}`);
    if (!(Math.abs(flip * o.z - Number(r[c('Z_STAT')])) <= 0.02 + 0.01 * Math.abs(o.z))) problems.push(`${id}: Z ${flip * o.z} vs ${r[c('Z_STAT')]}`);
  }
  if (process.env.LOGISTIC_DIAG) console.error(golden, JSON.stringify(diag(ours, ref)));
  return { compared, problems, firthRows, flagDiff };
}

function diag(ours: Map<string, Row>, ref: ReturnType<typeof readTable>) {
  const c = (n: string) => ref.header.indexOf(n);
  const rel: Record<string, number[]> = { BETA: [], SE: [], P: [] };
  let exact = 0;
  let all = 0;
  for (const r of ref.rows) {
    const o = ours.get(`${r[c('CHROM')]}:${r[c('POS')]}`)!;
    if (r[c('BETA')] === 'NA') continue;
    const flip = o.a1 === r[c('A1')] ? 1 : -1;
    const vals: [string, number, string][] = [
      ['BETA', flip * o.beta, 'BETA'],
      ['SE', o.se, 'SE'],
      ['P', o.p, 'P'],
    ];
    let ok = true;
    for (const [nm, v, col] of vals) {
      rel[nm].push(Math.abs(v - Number(r[c(col)])) / Math.abs(Number(r[c(col)])));
      if (!closeToPrinted(v, r[c(col)])) ok = false;
    }
    all++;
    if (ok) exact++;
  }
  const q = (a: number[], f: number) => a.sort((x, y) => x - y)[Math.floor(f * (a.length - 1))];
  return { all, exact, beta: [q(rel.BETA, 0.5), q(rel.BETA, 0.99), q(rel.BETA, 1)], se: [q(rel.SE, 0.5), q(rel.SE, 0.99), q(rel.SE, 1)], p: [q(rel.P, 0.5), q(rel.P, 0.99), q(rel.P, 1)] };
}
