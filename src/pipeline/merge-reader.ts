// Block-wise reader of a summary-statistics table (`CHR\tSNP\tBP\t...`, one row a line) for the merge
// engine. It pulls ~1 MB decompressed blocks from the source, cuts them at the last '\n' and parses one
// row at a time synchronously, so the merge awaits once per block rather than once per row. The
// current row is exposed as a RowKey (rank, chr, pos, line) so order.ts's compareKeys orders readers.
import { InputError } from '../errors.js';
import { RANK_OTHER, chrRank, normChr } from '../formats/chrom.js';
import { openInput } from '../io/input.js';
import { readLineBlocks } from '../io/lines.js';
import { isNumberField, numericColumns, quoteField, recogniseHeader } from '../io/sumstats.js';
import { compareChrom, type RowKey } from './order.js';

const LF = 10;
const CR = 13;
const TAB = 9;
const EMPTY = Buffer.alloc(0);
const LF_BUF = Buffer.from([LF]);

/**
 * Where a table keeps its merge key and variant identity: ours (CHR SNP BP A1 A2 ...) or the layouts
 * of assoc --format (formats/out-format.ts), all of which start with chromosome and position.
 */
export interface TableLayout {
  name: 'dosageflow' | 'gwas-ssf' | 'plink2' | 'regenie';
  /** 0-based field of the position (the chromosome is field 0). */
  posField: number;
  /** Leading fields naming the variant (duplicates are rows equal in these). */
  idFields: number;
}

export const OWN_LAYOUT: TableLayout = { name: 'dosageflow', posField: 2, idFields: 5 };
const LAYOUTS: { first: string[]; layout: TableLayout }[] = [
  { first: ['CHR', 'SNP', 'BP', 'A1', 'A2'], layout: OWN_LAYOUT },
  { first: ['chromosome', 'base_pair_location', 'effect_allele', 'other_allele'], layout: { name: 'gwas-ssf', posField: 1, idFields: 4 } },
  { first: ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'A1'], layout: { name: 'plink2', posField: 1, idFields: 6 } },
  { first: ['CHROM', 'GENPOS', 'ID', 'ALLELE0', 'ALLELE1'], layout: { name: 'regenie', posField: 1, idFields: 5 } },
];

/** The layout a header names, or null when it is none of them. */
export function layoutOf(header: string): TableLayout | null {
  const cols = header.split('\t');
  for (const l of LAYOUTS) if (l.first.every((c, i) => cols[i] === c)) return l.layout;
  return null;
}

export interface ReaderOptions {
  /** Columns of the key (default ours; a reader with a header takes it from the header). */
  layout?: TableLayout;
  /** The first line is a header (kept in `header`, not returned as a row). */
  header: boolean;
  /** Every row must follow the one before it in genome order (InputError otherwise). */
  checkSorted: boolean;
  /** Called with the header as soon as it is read, before any row is parsed (may throw). */
  onHeader?: (header: string) => void;
  /**
   * Check the header (a column the map reads named twice is an error) and each row against it: as
   * many fields, and a number (or NA, nan, inf) in every numeric column (io/sumstats.ts
   * numericColumns). User inputs of merge are checked; runs made here are not.
   */
  checkRows?: boolean;
}

/** Where a reader's rows came from when it reads an intermediate run: the original inputs. */
export type Origins = string[];

export class TableReader implements RowKey {
  /** Current row's chromosome rank, raw chromosome name and position. */
  rank = 0;
  chr = '';
  pos = 0;
  /** Current row: buf[start, end); buf[end] is its '\n'. */
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
  /** 1-based line number of the current row (the header is line 1). */
  lineNo = 0;
  /** The header line (without '\n'), once read; null for an empty input. */
  header: string | null = null;
  /** No current row: the input is exhausted. */
  done = false;
  /** For intermediate runs: the original files whose rows this run holds. */
  origins?: Origins;
  /** Where the key and the variant identity are (from the header when there is one). */
  layout: TableLayout;

  /** The block being parsed (`buf` is the current row's, which may be the block before). */
  private blk: Buffer = EMPTY;
  private p = 0;
  private lines = 0;
  private wantHeader: boolean;
  private cacheChr: Buffer = EMPTY;
  private cacheName = '';
  private cacheRank = RANK_OTHER;
  /** checkRows: the header's field count and which fields are numeric. */
  private nFields = 0;
  private numeric: boolean[] = [];
  private names: string[] = [];

  constructor(
    readonly file: string,
    private readonly it: AsyncIterator<Uint8Array>,
    private readonly opts: ReaderOptions,
  ) {
    this.wantHeader = opts.header;
    this.layout = opts.layout ?? OWN_LAYOUT;
  }

  /** Open a file ('-' = stdin; plain, gzip or zstd by content) and read up to its first row. */
  static async open(file: string, opts: ReaderOptions): Promise<TableReader> {
    const inp = await openInput(file);
    const r = new TableReader(file, readLineBlocks(inp.stream, file)[Symbol.asyncIterator](), opts);
    try {
      await r.refill();
    } catch (e) {
      r.close();
      throw e;
    }
    return r;
  }

  /** A reader over blocks already in memory (each a run of whole lines). */
  static async fromBlocks(name: string, blocks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: ReaderOptions): Promise<TableReader> {
    const src = (Symbol.asyncIterator in blocks ? blocks : toAsync(blocks as Iterable<Uint8Array>)) as AsyncIterable<Uint8Array>;
    const r = new TableReader(name, readLineBlocks(src, name)[Symbol.asyncIterator](), opts);
    await r.refill();
    return r;
  }

  /** The current row's bytes (a view; only needed to break ties, so built on demand). */
  get line(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /**
   * Move to the next row of the current block. False when the block is used up: then call refill()
   * (which is the only step that awaits).
   */
  advance(): boolean {
    const b = this.blk;
    const n = b.length;
    while (this.p < n) {
      const s = this.p;
      const e = b.indexOf(LF, s);
      this.p = e + 1;
      this.lines++;
      if (this.wantHeader) {
        this.wantHeader = false;
        this.header = b.toString('utf8', s, e);
        this.layout = layoutOf(this.header) ?? this.layout;
        this.opts.onHeader?.(this.header);
        if (this.opts.checkRows) {
          const layout = recogniseHeader(this.header, this.file, this.lines, { required: [] });
          this.names = this.header.split('\t');
          this.nFields = this.names.length;
          this.numeric = numericColumns(layout);
        }
        continue;
      }
      if (e === s) continue; // blank line
      this.parse(b, s, e);
      if (this.nFields) this.checkRow(b, s, e);
      return true;
    }
    return false;
  }

  /** Load the next block and move to its first row. False (and `done`) at the end of the input. */
  async refill(): Promise<boolean> {
    for (;;) {
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        this.blk = EMPTY;
        return false;
      }
      // Whole lines from readLineBlocks (64 MiB line cap); the last line of a file may lack its '\n'.
      let block = toBuffer(r.value);
      if (block[block.length - 1] !== LF) block = Buffer.concat([block, LF_BUF]);
      if (block.indexOf(CR) >= 0) block = stripCR(block);
      this.blk = block;
      this.p = 0;
      if (this.advance()) return true;
    }
  }

  /** Stop reading (releases the file). */
  close(): void {
    this.done = true;
    void this.it.return?.()?.catch?.(() => {});
  }

  /** An InputError at the line just read. */
  private fail(msg: string): InputError {
    return new InputError(msg, { file: this.file, line: this.lines });
  }

  /** checkRows: the field count and the numeric columns of the row b[s, e). */
  private checkRow(b: Buffer, s: number, e: number): void {
    let f = 0;
    let fs = s;
    for (let i = s; i <= e; i++) {
      if (i < e && b[i] !== TAB) continue;
      if (f < this.nFields && this.numeric[f] && !isNumberField(b, fs, i)) {
        throw this.fail(`${this.names[f]} is not a number: '${quoteField(b.toString('utf8', fs, i))}'`);
      }
      f++;
      fs = i + 1;
    }
    if (f !== this.nFields) throw this.fail(`${f} field${f === 1 ? '' : 's'} where the header has ${this.nFields}${f < this.nFields ? ' (a row cut short?)' : ''}`);
  }

  private parse(b: Buffer, s: number, e: number): void {
    let i = s;
    while (i < e && b[i] !== TAB) i++;
    const t1 = i;
    // t2: the tab before the position field (field posField).
    let t2 = t1;
    for (let f = 1; f < this.layout.posField; f++) {
      i++;
      while (i < e && b[i] !== TAB) i++;
      t2 = i;
    }
    if (t2 >= e) throw this.fail(this.layout === OWN_LAYOUT ? 'row without CHR and BP columns (fewer than 3 tab-separated fields)' : `row without chromosome and position columns (fewer than ${this.layout.posField + 1} tab-separated fields)`);
    let pos = 0;
    for (i = t2 + 1; i < e; i++) {
      const c = b[i];
      if (c === TAB) break;
      const d = c - 48;
      if (d < 0 || d > 9) {
        pos = -1;
        break;
      }
      pos = pos * 10 + d;
    }
    if (pos < 0 || i === t2 + 1) {
      let t3 = b.indexOf(TAB, t2 + 1);
      if (t3 < 0 || t3 > e) t3 = e;
      throw this.fail(`${this.layout.posField === 2 ? 'BP' : 'the position'} is not a position: '${quoteField(b.toString('utf8', t2 + 1, t3))}'`);
    }
    // The chromosome name rarely changes: compare its bytes with the last one seen.
    const clen = t1 - s;
    const cc = this.cacheChr;
    let same = clen === cc.length;
    for (let k = 0; same && k < clen; k++) if (b[s + k] !== cc[k]) same = false;
    if (!same) {
      this.cacheChr = Buffer.from(b.subarray(s, t1));
      this.cacheName = b.toString('latin1', s, t1);
      this.cacheRank = chrRank(normChr(this.cacheName));
    }
    const rank = this.cacheRank;
    const chr = this.cacheName;
    if (this.opts.checkSorted && this.lineNo > 0) {
      let c = compareChrom(rank, chr, this.rank, this.chr);
      if (c === 0) c = pos - this.pos;
      if (c === 0) {
        const ve = variantEnd(b, s, e, this.layout.idFields);
        const le = variantEnd(this.buf, this.start, this.end, this.layout.idFields);
        if (ve - s === le - this.start && Buffer.compare(b.subarray(s, ve), this.buf.subarray(this.start, le)) === 0) {
          throw this.fail(`duplicate variant ${describeVariant(b.subarray(s, e), this.layout)}: also at line ${this.lineNo}`);
        }
        c = Buffer.compare(b.subarray(s, e), this.buf.subarray(this.start, this.end));
      }
      if (c < 0) {
        const tie = rank === this.rank && pos === this.pos;
        throw this.fail(`not genome-sorted: ${chr}:${pos} after ${this.chr}:${this.pos}${tie ? ' (rows at one position are ordered by their bytes)' : ''}`);
      }
    }
    this.rank = rank;
    this.chr = chr;
    this.pos = pos;
    this.buf = b;
    this.start = s;
    this.end = e;
    this.lineNo = this.lines;
  }
}

async function* toAsync<T>(it: Iterable<T>): AsyncGenerator<T> {
  yield* it;
}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.length);
}

/** Drop each '\r' that ends a line. */
function stripCR(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(b.length);
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === CR && b[i + 1] === LF) continue;
    out[o++] = c;
  }
  return out.subarray(0, o);
}

/** End of the variant identity (CHR SNP BP A1 A2, or `fields` leading fields): index of that tab, or the line end. */
export function variantEnd(b: Uint8Array, s: number, e: number, fields = 5): number {
  let tabs = 0;
  for (let i = s; i < e; i++) if (b[i] === TAB && ++tabs === fields) return i;
  return e;
}

export { quoteField } from '../io/sumstats.js';

/** "CHR:BP SNP A1/A2" of a row, for messages. */
export function describeVariant(line: Uint8Array, layout: TableLayout = OWN_LAYOUT): string {
  const f = Buffer.from(line.buffer, line.byteOffset, line.length).toString('utf8').split('\t');
  if (layout !== OWN_LAYOUT) return `${f[0]}:${f[1]} ${f.slice(2, layout.idFields).join(' ')}`;
  return `${f[0]}:${f[2]} ${f[1] ?? ''}${f[3] !== undefined ? ` ${f[3]}/${f[4] ?? ''}` : ''}`;
}
