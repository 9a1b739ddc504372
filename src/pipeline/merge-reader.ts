// Block-wise reader of a summary-statistics table (`CHR\tSNP\tBP\t...`, one row a line; or another
// tool's table, its key columns found by io/sumstats.ts) for the merge engine. It pulls ~1 MB decompressed blocks from the source, cuts them at the last '\n' and parses one
// row at a time synchronously, so the merge awaits once per block rather than once per row. The
// current row is exposed as a RowKey (rank, chr, pos, line) so order.ts's compareKeys orders readers.
import { InputError } from '../errors.js';
import { RANK_OTHER, chrRank, normChr } from '../formats/chrom.js';
import { openInput } from '../io/input.js';
import { readLineBlocks } from '../io/lines.js';
import { fieldCountError, isNumberField, numericColumns, quoteField, recogniseHeader, type ColumnMapping, type SumstatsLayout } from '../io/sumstats.js';
import { compareChrom, type RowKey } from './order.js';

const LF = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;

/**
 * Where the key of another tool's row is: the chromosome and position columns, the separator, and
 * the columns naming the variant (CHR SNP BP A1 A2, or plink2's CHR ID POS REF ALT A1) for the
 * duplicate check. Undefined for our own tables (tab, CHR first, BP third, the first five columns).
 */
export interface KeyColumns {
  chr: number;
  bp: number;
  space: boolean;
  ident: number[];
}

/** The key columns of a recognised header; undefined when they are our own table's. */
export function keyColumnsOf(l: SumstatsLayout): KeyColumns | undefined {
  const c = l.col;
  const ours = l.delim === 'tab' && c.chr === 0 && c.bp === 2 && c.snp === 1 && c.a1 === 3 && c.a2 === 4;
  if (ours) return undefined;
  const ident = l.col.a2 >= 0 || l.ref < 0 ? [c.chr, c.snp, c.bp, c.a1, c.a2] : [c.chr, c.snp, c.bp, l.ref, l.alt, c.a1];
  return { chr: c.chr, bp: c.bp, space: l.delim === 'space', ident };
}

/** Start and end of field `k` of b[s, e) (tab-separated, or runs of blanks); [-1, -1] when absent. */
export function fieldAt(b: Uint8Array, s: number, e: number, k: number, space: boolean): [number, number] {
  let i = s;
  if (!space) {
    for (let f = 0; f < k; f++) {
      while (i < e && b[i] !== TAB) i++;
      if (i >= e) return [-1, -1];
      i++;
    }
    let j = i;
    while (j < e && b[j] !== TAB) j++;
    return [i, j];
  }
  for (let f = 0; ; f++) {
    while (i < e && (b[i] === SPACE || b[i] === TAB)) i++;
    if (i >= e) return [-1, -1];
    let j = i;
    while (j < e && b[j] !== SPACE && b[j] !== TAB) j++;
    if (f === k) return [i, j];
    i = j;
  }
}

/**
 * The bytes naming a row's variant, `CHR\tSNP\tBP\tA1\tA2` (a view of our own rows; for other tools'
 * rows their identity columns joined by tabs): equal for the same variant, and what describeVariant
 * prints.
 */
export function identOf(key: KeyColumns | undefined, b: Uint8Array, s: number, e: number): Buffer {
  if (key === undefined) return Buffer.from(b.buffer, b.byteOffset + s, variantEnd(b, s, e) - s);
  const parts = key.ident.map((k) => {
    const [fs, fe] = k < 0 ? [-1, -1] : fieldAt(b, s, e, k, key.space);
    return fs < 0 ? '' : Buffer.from(b.buffer, b.byteOffset + fs, fe - fs).toString('latin1');
  });
  return Buffer.from(parts.join('\t'), 'latin1');
}
const EMPTY = Buffer.alloc(0);
const LF_BUF = Buffer.from([LF]);

export interface ReaderOptions {
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
  /** checkRows: --col-* / --columns for a header that is not recognised. */
  columns?: ColumnMapping;
  /** Runs without a header (and checkRows: false) of another tool's table: where its key is. */
  key?: KeyColumns;
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
  private space = false;
  /** Key of the row being parsed (fields, so the hot loop allocates nothing). */
  private kPos = 0;
  private kCs = 0;
  private kCe = 0;
  /** Where the key is, for another tool's table (undefined: ours). */
  keyCols: KeyColumns | undefined;

  constructor(
    readonly file: string,
    private readonly it: AsyncIterator<Uint8Array>,
    private readonly opts: ReaderOptions,
  ) {
    this.wantHeader = opts.header;
    this.keyCols = opts.key;
    this.space = opts.key?.space ?? false;
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
        this.opts.onHeader?.(this.header);
        if (this.opts.checkRows) {
          const layout = recogniseHeader(this.header, this.file, this.lines, { required: ['chr', 'bp'], mapping: this.opts.columns, what: 'merge' });
          this.keyCols = keyColumnsOf(layout);
          this.space = layout.delim === 'space';
          this.names = layout.names;
          this.nFields = layout.nCols;
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
    if (this.space) return this.checkSpaceRow(b, s, e);
    let f = 0;
    let fs = s;
    for (let i = s; i <= e; i++) {
      if (i < e && b[i] !== TAB) continue;
      this.checkField(b, f, fs, i);
      f++;
      fs = i + 1;
    }
    if (f !== this.nFields) throw fieldCountError(f, this.nFields, this.file, this.lines);
  }

  /** checkRow of a table separated by runs of blanks (regenie's). */
  private checkSpaceRow(b: Buffer, s: number, e: number): void {
    let f = 0;
    for (let i = s; ; f++) {
      while (i < e && (b[i] === SPACE || b[i] === TAB)) i++;
      if (i >= e) break;
      const fs = i;
      while (i < e && b[i] !== SPACE && b[i] !== TAB) i++;
      this.checkField(b, f, fs, i);
    }
    if (f !== this.nFields) throw fieldCountError(f, this.nFields, this.file, this.lines);
  }

  private checkField(b: Buffer, f: number, fs: number, fe: number): void {
    if (f < this.nFields && this.numeric[f] && !isNumberField(b, fs, fe)) {
      throw this.fail(`${this.names[f]} is not a number: '${quoteField(b.toString('utf8', fs, fe))}'`);
    }
  }

  /** The bytes naming the variant of row b[s, e) of this table (see identOf). */
  identOf(b: Uint8Array, s: number, e: number): Buffer {
    return identOf(this.keyCols, b, s, e);
  }

  /** Chromosome field [kCs, kCe) and position kPos of row b[s, e) of another tool's table. */
  private keyOf(b: Buffer, s: number, e: number): void {
    const k = this.keyCols!;
    const [cs, ce] = fieldAt(b, s, e, k.chr, k.space);
    const [ps, pe] = fieldAt(b, s, e, k.bp, k.space);
    if (cs < 0 || ps < 0) throw this.fail(`row without CHR and BP columns (fewer than ${Math.max(k.chr, k.bp) + 1} fields)`);
    let pos = 0;
    for (let i = ps; i < pe; i++) {
      const d = b[i] - 48;
      if (d < 0 || d > 9) {
        pos = -1;
        break;
      }
      pos = pos * 10 + d;
    }
    if (pos < 0 || pe === ps) throw this.fail(`BP is not a position: '${quoteField(b.toString('utf8', ps, pe))}'`);
    this.kCs = cs;
    this.kCe = ce;
    this.kPos = pos;
  }

  /** End of the chromosome field and the position of our own row b[s, e) (CHR first, BP third). */
  private ourKey(b: Buffer, s: number, e: number): number {
    let i = s;
    while (i < e && b[i] !== TAB) i++;
    if (i >= e) throw this.fail('row without CHR and BP columns (fewer than 3 tab-separated fields)');
    const t1 = i;
    i++;
    while (i < e && b[i] !== TAB) i++;
    if (i >= e) throw this.fail('row without CHR and BP columns (fewer than 3 tab-separated fields)');
    const t2 = i;
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
      throw this.fail(`BP is not a position: '${quoteField(b.toString('utf8', t2 + 1, t3))}'`);
    }
    this.kPos = pos;
    return t1;
  }

  private parse(b: Buffer, s: number, e: number): void {
    let cs = s;
    let ce: number;
    if (this.keyCols === undefined) {
      ce = this.ourKey(b, s, e);
    } else {
      this.keyOf(b, s, e);
      cs = this.kCs;
      ce = this.kCe;
    }
    const pos = this.kPos;
    // The chromosome name rarely changes: compare its bytes with the last one seen.
    const clen = ce - cs;
    const cc = this.cacheChr;
    let same = clen === cc.length;
    for (let k = 0; same && k < clen; k++) if (b[cs + k] !== cc[k]) same = false;
    if (!same) {
      this.cacheChr = Buffer.from(b.subarray(cs, ce));
      this.cacheName = b.toString('latin1', cs, ce);
      this.cacheRank = chrRank(normChr(this.cacheName));
    }
    const rank = this.cacheRank;
    const chr = this.cacheName;
    if (this.opts.checkSorted && this.lineNo > 0) {
      let c = compareChrom(rank, chr, this.rank, this.chr);
      if (c === 0) c = pos - this.pos;
      if (c === 0) {
        const id = this.identOf(b, s, e);
        if (id.equals(this.identOf(this.buf, this.start, this.end))) {
          throw this.fail(`duplicate variant ${describeVariant(id)}: also at line ${this.lineNo}`);
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

/** End of the variant identity (CHR SNP BP A1 A2): index of the 5th tab, or the line end. */
export function variantEnd(b: Uint8Array, s: number, e: number): number {
  let tabs = 0;
  for (let i = s; i < e; i++) if (b[i] === TAB && ++tabs === 5) return i;
  return e;
}

export { quoteField } from '../io/sumstats.js';

/** "CHR:BP SNP A1/A2" of a row, for messages. */
export function describeVariant(line: Uint8Array): string {
  const f = Buffer.from(line.buffer, line.byteOffset, line.length).toString('utf8').split('\t');
  return `${f[0]}:${f[2]} ${f[1] ?? ''}${f[3] !== undefined ? ` ${f[3]}/${f[4] ?? ''}` : ''}`;
}
