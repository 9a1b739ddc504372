// report --genes: the gene reader (GTF, GFF3, BED, transcripts aggregated when there are no gene lines,
// gzip, any read size) on real GENCODE v39 lines (test/fixtures/genes/make-genes.sh), the nearest-gene
// rule, and the gene in summary.json, report.html and the Manhattan labels.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { geneLabel, nearestGene, readGenes, readGenesFrom, type GeneSet } from '../src/report/genes.js';
import { writeReport } from '../src/report/index.js';
import { fixture, runCli, tmpDir } from './lib/helpers.js';

const G = (f: string) => fixture('genes', f);
const PC = new Set(['protein_coding']);
const flat = (s: GeneSet) => [...s.byChr.entries()].flatMap(([c, l]) => l.map((g) => `${c}:${g.start}-${g.end} ${g.name}`)).sort();

t.test('GTF, GFF3 and BED give the same genes (1-based, chromosomes normalised); transcript and exon lines are skipped', async (t) => {
  const gtf = await readGenes(G('genes.gtf'));
  const gff = await readGenes(G('genes.gff3'));
  const bed = await readGenes(G('genes.bed'));
  t.same([gtf.format, gff.format, bed.format], ['gtf', 'gff3', 'bed']);
  t.equal(gtf.count, 13, 'the 13 gene lines, not the transcripts and exons of DDX11L1');
  t.same(flat(gff), flat(gtf));
  t.same(flat(bed), flat(gtf), 'BED 0-based starts read as 1-based');
  const ddx = gtf.byChr.get('1')![0];
  t.same(ddx, { start: 11869, end: 14409, name: 'DDX11L1', id: 'ENSG00000223972.5', biotype: 'transcribed_unprocessed_pseudogene' });
  t.equal(gff.byChr.get('1')![0].biotype, 'transcribed_unprocessed_pseudogene', 'GFF3 gene_type');
  t.equal(bed.byChr.get('1')![0].biotype, null, 'BED has no biotype');
});

t.test('Ensembl GFF3: gene and ncRNA_gene lines, Name and biotype, the gene: prefix dropped, %3B decoded', async (t) => {
  const s = await readGenes(G('ensembl.gff3'));
  t.equal(s.format, 'gff3');
  t.same(s.byChr.get('1'), [
    { start: 29554, end: 31109, name: 'MIR1302-2HG', id: 'ENSG00000243485', biotype: 'lncRNA' },
    { start: 65419, end: 71585, name: 'OR4F5', id: 'ENSG00000186092', biotype: 'protein_coding' },
  ]);
  const noGenes = (await fs.promises.readFile(G('ensembl.gff3'), 'utf8'))
    .split('\n')
    .filter((l) => !/\t(gene|ncRNA_gene)\t/.test(l))
    .join('\n');
  async function* one() {
    yield Buffer.from(noGenes);
  }
  const agg = await readGenesFrom(one(), 'ensembl-transcripts.gff3');
  t.same(flat(agg), ['1:65419-71585 ENSG00000186092'], 'mRNA aggregated on its Parent gene (named by its id: no gene_name)');
});

t.test('a GTF without gene lines (gzip): transcripts aggregated per gene_id', async (t) => {
  const s = await readGenes(G('transcripts-only.gtf.gz'));
  t.equal(s.from, 'transcript');
  t.same(flat(s), ['1:11869-14409 DDX11L1'], 'DDX11L1 spans both of its transcripts (11869-14409 and 12010-13670)');
});

t.test('chunk edges: 1-, 7- and 4096-byte reads give the same genes', async (t) => {
  const bytes = fs.readFileSync(G('genes.gtf'));
  const whole = flat(await readGenes(G('genes.gtf')));
  for (const step of [1, 7, 4096]) {
    async function* pieces() {
      for (let i = 0; i < bytes.length; i += step) yield bytes.subarray(i, i + step);
    }
    t.same(flat(await readGenesFrom(pieces(), 'genes.gtf')), whole, `${step}-byte reads`);
  }
});

t.test('nearest gene: 0 inside, else to the nearest edge; protein-coding preferred; ties by name', async (t) => {
  const gtf = await readGenes(G('genes.gtf'));
  const near = (chr: string, bp: number, types: Set<string> | null = PC) => {
    const g = nearestGene(gtf, chr, bp, types);
    return g && geneLabel(g);
  };
  t.equal(near('1', 66000), 'OR4F5 (0)', 'inside OR4F5');
  t.equal(near('chr1', 80000), 'OR4F5 (8.4 kb)', '80,000 - 71,585 = 8,415 bp past its end; chr1 = 1');
  t.equal(nearestGene(gtf, '1', 80000, PC)!.distance, 8415);
  t.equal(near('1', 65000), 'OR4F5 (419 bp)', 'before its start');
  t.equal(near('1', 12000), 'OR4F5 (53.4 kb)', 'inside the pseudogene DDX11L1, but the nearest protein-coding gene is OR4F5');
  t.equal(near('1', 12000, null), 'DDX11L1 (0)', '--gene-types all');
  t.equal(near('1', 17400, null), 'MIR6859-1 (0)', 'inside WASH7P and MIR6859-1: ties by name (M < W)');
  t.equal(near('7', 99450000), 'ATP5MF (0)', 'inside ATP5MF and ATP5MF-PTCD1: ties by name');
  t.equal(near('7', 99430000), 'ATP5MF-PTCD1 (0)');
  t.equal(near('6', 108907700), null, 'chromosome 6 has no protein-coding gene here');
  t.equal(near('2', 1000), null, 'no gene on chromosome 2');
  t.equal(near('1', 12000, new Set(['lncRNA'])), 'MIR1302-2HG (17.6 kb)', '--gene-types lncRNA');
});

/** A small table of our own layout: hits inside DDX11L1 (chr1), ATP5MF (chr7), off any gene (chr2). */
function table(dir: string): string {
  const rows = [
    ['1', 'rs1', 12000, 1e-12],
    ['1', 'rs2', 600000, 0.5],
    ['2', 'rs5', 5000, 1e-9],
    ['7', 'rs3', 99450000, 1e-10],
  ] as const;
  const f = path.join(dir, 'g.tsv');
  const lines = rows.map(([c, s, b, p]) => `${c}\t${s}\t${b}\tA\tG\t0.3\t0.9\t100\t0.5\t0.1\t5\t${p}\t${-Math.log10(p)}`);
  fs.writeFileSync(f, 'CHR\tSNP\tBP\tA1\tA2\tFRQ\tINFO\tN\tBETA\tSE\tT\tP\tLOG10P\n' + lines.join('\n') + '\n');
  return f;
}

t.test('report --genes: Gene (distance) in summary.json, report.html and on the Manhattan plot', async (t) => {
  const dir = tmpDir('genes');
  const out = path.join(dir, 'rep');
  const s = await writeReport(table(dir), out, { genes: G('genes.gtf'), png: false });
  t.same(
    s.top_loci.map((l) => [l.snp, l.gene, l.gene_distance, l.gene_label]),
    [
      ['rs1', 'OR4F5', 53419, 'OR4F5 (53.4 kb)'],
      ['rs3', 'ATP5MF', 0, 'ATP5MF (0)'],
      ['rs5', null, null, null],
    ],
  );
  t.match(s.genes, { format: 'gtf', n_genes: 13, from: 'gene', types: ['protein_coding'] });
  t.match(s.genes!.rule, /distance 0 inside the gene, else to its nearest edge/);
  const json = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  t.equal(json.top_loci[1].gene_id, 'ENSG00000241468.8');
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  t.match(html, /<th class="s">GENE \(DISTANCE\)<\/th>/);
  t.match(html, /<td class="s">OR4F5 \(53\.4 kb\)<\/td>/);
  const svg = fs.readFileSync(path.join(out, 'manhattan.svg'), 'utf8');
  t.match(svg, />OR4F5<\/text>/, 'loci labelled with their gene');
  t.match(svg, />rs5<\/text>/, 'the SNP where there is no gene');
  // Without --genes nothing changes.
  const plain = await writeReport(table(dir), path.join(dir, 'plain'), { png: false });
  t.equal(plain.genes, undefined);
  t.notOk('gene' in plain.top_loci[0]);
});

t.test('report --genes from the CLI: BED and gzip GFF3; errors', async (t) => {
  const dir = tmpDir('genes-cli');
  const tab = table(dir);
  const bed = runCli(['report', tab, '--genes', G('genes.bed'), '--no-png', '--out', path.join(dir, 'b')]);
  t.equal(bed.status, 0, bed.stderr);
  t.match(bed.stderr, /nearest genes from 13 genes of/);
  t.equal(JSON.parse(fs.readFileSync(path.join(dir, 'b/summary.json'), 'utf8')).top_loci[0].gene_label, 'DDX11L1 (0)', 'BED has no biotypes: every gene counts');
  const gz = path.join(dir, 'genes.gff3.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(G('genes.gff3'))));
  const g = runCli(['report', tab, '--genes', gz, '--gene-types', 'all', '--no-png', '--out', path.join(dir, 'g')]);
  t.equal(g.status, 0, g.stderr);
  t.equal(JSON.parse(fs.readFileSync(path.join(dir, 'g/summary.json'), 'utf8')).top_loci[0].gene_label, 'DDX11L1 (0)');
  const bad = path.join(dir, 'bad.gtf');
  fs.writeFileSync(bad, fs.readFileSync(G('genes.gtf'), 'utf8').replace('\t65419\t71585\t', '\t71585\t65419\t'));
  const e = runCli(['report', tab, '--genes', bad, '--out', path.join(dir, 'e')]);
  t.equal(e.status, 3);
  t.match(e.stderr, /bad\.gtf:17: start '71585' and end '65419' are not 1-based coordinates/);
  t.notOk(fs.existsSync(path.join(dir, 'e/report.html')), 'no report');
  const u = runCli(['report', tab, '--gene-types', 'all', '--out', path.join(dir, 'u')]);
  t.equal(u.status, 2);
  t.match(u.stderr, /--gene-types needs --genes FILE/);
  const m = runCli(['report', tab, '--genes', path.join(dir, 'missing.gtf'), '--out', path.join(dir, 'm')]);
  t.equal(m.status, 4);
  t.match(m.stderr, /missing\.gtf/);
  const notGenes = runCli(['report', tab, '--genes', tab, '--out', path.join(dir, 'n')]);
  t.equal(notGenes.status, 3);
  t.match(notGenes.stderr, /not a GTF, GFF3 or BED line/);
});

t.test('assoc --report --genes: genes read once before the run; a bad gene file stops it before any table', async (t) => {
  const A = (f: string) => fixture('assoc', f);
  const dir = tmpDir('genes-assoc');
  const base = ['assoc', '--gen', A('small.gen'), '--sample', A('small.sample'), '--pheno', A('small.pheno'), '--pheno-name', 'response', '--threads', '1'];
  const r = runCli([...base, '--report', '--genes', G('genes.gtf'), '--gene-types', 'all', '--out', path.join(dir, 'ok')]);
  t.equal(r.status, 0, r.stderr);
  const j = JSON.parse(fs.readFileSync(path.join(dir, 'ok.response.report/summary.json'), 'utf8'));
  t.match(j.genes, { n_genes: 13, types: 'all' });
  t.ok(
    j.top_loci.every((l: { gene_label?: string | null }) => 'gene_label' in l),
    'every top locus has its gene (or null)',
  );
  const u = runCli([...base, '--genes', G('genes.gtf'), '--out', path.join(dir, 'u')]);
  t.equal(u.status, 2);
  t.match(u.stderr, /--genes annotates the report: use it with --report/);
  const bad = path.join(dir, 'bad.bed');
  fs.writeFileSync(bad, 'chr1\t100\t50\tX\n');
  const b = runCli([...base, '--report', '--genes', bad, '--out', path.join(dir, 'b')]);
  t.equal(b.status, 3);
  t.match(b.stderr, /bad\.bed:1: start '100' and end '50' are not BED coordinates/);
  t.notOk(fs.existsSync(path.join(dir, 'b.response.tsv')), 'no table written');
});
