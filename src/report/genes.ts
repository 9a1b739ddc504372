// Genes for `report --genes FILE` (GTF, GFF3 or BED; plain, gzip or zstd): one streaming pass keeps
// only genes (memory ~ the number of genes, whatever the file's size: a GENCODE GTF is 1.5 GB of
// mostly exon, UTR and codon lines, skipped after reading their third field), then the nearest gene
// of each top locus (docs/decisions/0013-gene-reader.md). Rule (README, report --genes): the distance is 0 inside a gene, else to its nearest edge;
// among genes of --gene-types (default protein_coding, when the file gives biotypes), the nearest;
// ties by name. A file without gene lines has its transcripts aggregated per gene.
import { InputError } from '../errors.js';
import { normChr } from '../formats/chrom.js';
import { openInput } from '../io/input.js';
import { readLines } from '../io/lines.js';

export type GeneFileFormat = 'gtf' | 'gff3' | 'bed';

export interface Gene {
  /** 1-based, inclusive. */
  start: number;
  end: number;
  name: string;
  id: string;
  /** gene_type (GENCODE), gene_biotype (Ensembl) or biotype; null when the file has none (BED). */
  biotype: string | null;
}

export interface GeneSet {
  file: string;
  format: GeneFileFormat;
  /** Genes by normalised chromosome (formats/chrom.ts normChr: chr1 -> 1, chrM -> MT). */
  byChr: Map<string, Gene[]>;
  count: number;
  /** Whether the genes came from `gene` lines or were aggregated from transcripts. */
  from: 'gene' | 'transcript' | 'bed';
}

const TAB = 9;
const TRANSCRIPTS = new Set(['transcript', 'mRNA']);
/** Gene lines: `gene`, and Ensembl GFF3's `ncRNA_gene` and `pseudogene`. */
const isGeneType = (t: string) => t === 'gene' || t === 'ncRNA_gene' || t === 'pseudogene';

/** gene_name "X"; (GTF) or Name=X; (GFF3) attributes of column 9. */
function gtfAttr(a: string, key: string): string | null {
  const m = new RegExp(`(?:^|;)\\s*${key} "([^"]*)"`).exec(a);
  return m ? m[1] : null;
}
function gffAttr(a: string, key: string): string | null {
  const m = new RegExp(`(?:^|;)${key}=([^;]*)`).exec(a);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1]; // a stray '%': the value as written
  }
}

/** Name, id and biotype of a gene (or transcript) line's attributes, with the fallbacks of each format. */
function describe(format: GeneFileFormat, a: string, transcript: boolean): { name: string | null; id: string | null; biotype: string | null } {
  if (format === 'gtf') {
    const id = gtfAttr(a, 'gene_id');
    return { id, name: gtfAttr(a, 'gene_name') ?? id, biotype: gtfAttr(a, 'gene_type') ?? gtfAttr(a, 'gene_biotype') };
  }
  // GFF3: a transcript's gene is its Parent (Ensembl writes gene:ENSG..., GENCODE the bare id).
  const id = (transcript ? (gffAttr(a, 'gene_id') ?? gffAttr(a, 'Parent')) : (gffAttr(a, 'ID') ?? gffAttr(a, 'gene_id')))?.replace(/^gene:/, '') ?? null;
  const name = gffAttr(a, 'gene_name') ?? (transcript ? null : gffAttr(a, 'Name')) ?? gffAttr(a, 'gene') ?? id;
  return { id, name, biotype: gffAttr(a, 'gene_type') ?? gffAttr(a, 'gene_biotype') ?? gffAttr(a, 'biotype') };
}

/** The format from the first data line (and a `##gff-version 3` header). */
function sniff(fields: string[], sawGffHeader: boolean): GeneFileFormat | null {
  const int = (s: string | undefined) => s !== undefined && /^\d+$/.test(s);
  if (fields.length >= 9 && int(fields[3]) && int(fields[4])) return sawGffHeader || /(^|;)\s*[A-Za-z_]+=/.test(fields[8]) ? 'gff3' : 'gtf';
  if (fields.length >= 3 && int(fields[1]) && int(fields[2])) return 'bed';
  return null;
}

class GeneCollector {
  readonly byChr = new Map<string, Gene[]>();
  count = 0;
  sawGene = false;
  /** Transcripts aggregated per gene id while no gene line has been seen. */
  private agg = new Map<string, { chr: string; gene: Gene }>();

  add(chr: string, g: Gene): void {
    const c = normChr(chr);
    let list = this.byChr.get(c);
    if (!list) this.byChr.set(c, (list = []));
    list.push(g);
    this.count++;
  }

  gene(chr: string, g: Gene): void {
    if (!this.sawGene) {
      this.sawGene = true;
      this.agg.clear();
    }
    this.add(chr, g);
  }

  transcript(chr: string, g: Gene): void {
    if (this.sawGene) return;
    const key = `${normChr(chr)}\u0000${g.id}`;
    const a = this.agg.get(key);
    if (!a) this.agg.set(key, { chr, gene: g });
    else {
      a.gene.start = Math.min(a.gene.start, g.start);
      a.gene.end = Math.max(a.gene.end, g.end);
    }
  }

  finish(): 'gene' | 'transcript' {
    if (this.sawGene) return 'gene';
    for (const { chr, gene } of this.agg.values()) this.add(chr, gene);
    this.agg.clear();
    return 'transcript';
  }
}

/** Read the genes of FILE in one streaming pass (errors name FILE and the line). */
export async function readGenes(file: string): Promise<GeneSet> {
  return readGenesFrom((await openInput(file)).stream, file);
}

/** readGenes over decompressed bytes in any pieces (the chunk-edge tests feed 1- and 7-byte reads). */
export async function readGenesFrom(source: AsyncIterable<Uint8Array>, file: string): Promise<GeneSet> {
  const col = new GeneCollector();
  let format: GeneFileFormat | null = null;
  let sawGffHeader = false;
  let lineNo = 0;
  for await (const raw of readLines(source, file)) {
    lineNo++;
    const line = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
    if (line.length === 0 || line[0] === 35 /* # */) {
      if (line.toString('latin1', 0, 15).startsWith('##gff-version 3')) sawGffHeader = true;
      continue;
    }
    if (format !== 'bed' && format !== null) {
      // GTF/GFF3: only gene and transcript lines are decoded.
      const t1 = line.indexOf(TAB);
      const t2 = t1 < 0 ? -1 : line.indexOf(TAB, t1 + 1);
      const t3 = t2 < 0 ? -1 : line.indexOf(TAB, t2 + 1);
      if (t3 < 0) throw new InputError(`fewer than 9 tab-separated fields (a ${format.toUpperCase()} line has 9)`, { file, line: lineNo });
      if (t3 - t2 - 1 > 24) continue;
      const type = line.toString('latin1', t2 + 1, t3);
      if (!isGeneType(type) && !TRANSCRIPTS.has(type)) continue;
    }
    const text = line.toString('utf8');
    if (format === null && /^(track|browser)(\s|$)/.test(text)) continue;
    const f = text.split('\t');
    if (format === null) {
      format = sniff(f, sawGffHeader);
      if (format === null) throw new InputError('not a GTF, GFF3 or BED line (chromosome, then start and end positions)', { file, line: lineNo });
      if (format !== 'bed' && !isGeneType(f[2]) && !TRANSCRIPTS.has(f[2])) continue;
    }
    addLine(col, format, f, file, lineNo);
  }
  if (format === null) throw new InputError('no genes: the file is empty or has only comments', { file });
  const from = format === 'bed' ? 'bed' : col.finish();
  if (col.count === 0) throw new InputError(`no gene, transcript or mRNA lines in this ${format.toUpperCase()} file`, { file });
  for (const list of col.byChr.values()) list.sort((a, b) => a.start - b.start || a.end - b.end || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { file, format, byChr: col.byChr, count: col.count, from };
}

function addLine(col: GeneCollector, format: GeneFileFormat, f: string[], file: string, lineNo: number): void {
  const where = { file, line: lineNo };
  if (format === 'bed') {
    if (f.length < 3) throw new InputError('fewer than 3 tab-separated fields (BED: chrom start end [name ...])', where);
    const s = Number(f[1]);
    const e = Number(f[2]);
    if (!/^\d+$/.test(f[1]) || !/^\d+$/.test(f[2]) || e < s) throw new InputError(`start '${f[1]}' and end '${f[2]}' are not BED coordinates (0-based start <= end)`, where);
    const name = f[3] && f[3] !== '.' ? f[3] : `${f[0]}:${s + 1}-${e}`;
    col.add(f[0], { start: s + 1, end: e, name, id: name, biotype: null });
    return;
  }
  if (f.length < 9) throw new InputError(`fewer than 9 tab-separated fields (a ${format.toUpperCase()} line has 9)`, where);
  const s = Number(f[3]);
  const e = Number(f[4]);
  if (!/^\d+$/.test(f[3]) || !/^\d+$/.test(f[4]) || s < 1 || e < s) throw new InputError(`start '${f[3]}' and end '${f[4]}' are not 1-based coordinates with start <= end`, where);
  const transcript = !isGeneType(f[2]);
  const d = describe(format, f[8], transcript);
  if (d.id === null && d.name === null) throw new InputError(`${f[2]} line without ${format === 'gtf' ? 'gene_id' : transcript ? 'Parent' : 'ID'} or a name`, where);
  const g: Gene = { start: s, end: e, name: d.name ?? d.id!, id: d.id ?? d.name!, biotype: d.biotype };
  if (transcript) col.transcript(f[0], g);
  else col.gene(f[0], g);
}

export interface NearestGene {
  name: string;
  id: string;
  biotype: string | null;
  /** 0 inside the gene, else base pairs to its nearest edge. */
  distance: number;
}

/** Distance from position bp to a gene: 0 inside, else to the nearest edge. */
export function geneDistance(g: Gene, bp: number): number {
  return bp < g.start ? g.start - bp : bp > g.end ? bp - g.end : 0;
}

/**
 * The nearest gene to chr:bp among those whose biotype is in `types` (all genes when `types` is null
 * or the file has no biotypes); ties by name. Null when the chromosome has no such gene.
 */
export function nearestGene(set: GeneSet, chr: string, bp: number, types: Set<string> | null): NearestGene | null {
  const list = set.byChr.get(normChr(chr));
  if (!list) return null;
  const typed = types !== null && set.format !== 'bed' && list.some((g) => g.biotype !== null);
  let best: Gene | null = null;
  let bestD = Infinity;
  for (const g of list) {
    if (typed && (g.biotype === null || !types.has(g.biotype))) continue;
    const d = geneDistance(g, bp);
    if (d < bestD || (d === bestD && best !== null && g.name < best.name)) {
      best = g;
      bestD = d;
    }
  }
  return best ? { name: best.name, id: best.id, biotype: best.biotype, distance: bestD } : null;
}

/** "OR4F5 (0)", "OR4F5 (12.3 kb)", "OR4F5 (850 bp)": the study's Table 2 "Gene (distance)". */
export function geneLabel(g: { name: string; distance: number }): string {
  const d = g.distance === 0 ? '0' : g.distance < 1000 ? `${g.distance} bp` : `${(g.distance / 1000).toFixed(1)} kb`;
  return `${g.name} (${d})`;
}
