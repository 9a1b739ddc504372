// `dosageflow merge --sort`: one table into genome order (order.ts) with memory bounded by --memory,
// through the one external sorter (sorter.ts). This module only reads the table and decides which
// rows continue the sorted run (copied to run 0 in spans of the reader's buffer) and which are held.
import { InputError } from '../errors.js';
import { isSpecialFile } from '../io/output.js';
import { compareChrom } from './order.js';
import { TableReader } from './merge-reader.js';
import { BatchWriter, checkHeaderColumns, maxOpenFor, openSink, type MergeConfig, type Sink } from './merge.js';
import { ExternalSort } from './sorter.js';

export interface SortResult {
  rows: number;
  passes: number;
  sortedInput: boolean;
  spilledRuns: number;
}

export async function sortTable(cfg: MergeConfig, tmp: { get: () => string }): Promise<SortResult> {
  const file = cfg.inputs[0];
  const r = await TableReader.open(file, { header: true, checkSorted: false, checkRows: true, onHeader: (h) => checkHeaderColumns(h, file), columns: cfg.columns });
  if (r.header === null) {
    r.close();
    throw new InputError('empty file: no header line', { file, line: 1 });
  }
  // Run 0 is the output itself unless it is stdout, a FIFO or a device (sorter.ts).
  const direct = cfg.out !== '-' && !isSpecialFile(cfg.out);
  let sort: ExternalSort | null = null;
  let sink: Sink | null = null;
  try {
    sort = new ExternalSort({
      header: r.header,
      output: direct ? { path: cfg.out, compression: cfg.compress } : null,
      tmpDir: tmp.get,
      memoryBytes: Math.max(1, cfg.memoryMB * (1 << 20)),
      maxOpen: cfg.maxOpen ?? maxOpenFor(cfg.memoryMB),
      // The key columns of the table's format (CHR/BP, or plink2's #CHROM/POS ...): runs are read the same way.
      key: r.keyCols,
    });
    const rows = await splitInOrder(r, sort);
    await sort.run0.finish();
    const sortedInput = sort.sortedInput;
    if (sortedInput && sort.run0IsOutput) {
      await sort.run0.rename();
      return { rows, passes: 1, sortedInput, spilledRuns: 0 };
    }
    const k = (sink = openSink(cfg.out, cfg.compress));
    const passes = await sort.writeSorted(k.stream);
    await k.commit();
    return { rows, passes, sortedInput, spilledRuns: sort.spills.length };
  } catch (e) {
    (sink as Sink | null)?.abort();
    throw e;
  } finally {
    r.close();
    sort?.abort();
  }
}

/**
 * One pass over the table: rows that continue the sorted run go to run 0 in spans of the reader's
 * buffer; the others are held by the sorter (which spills them as sorted runs). Returns the rows read.
 */
async function splitInOrder(r: TableReader, sort: ExternalSort): Promise<number> {
  const w0 = new BatchWriter(sort.run0.stream);
  let rows = 0;
  let has = false;
  let lastRank = 0;
  let lastChr = '';
  let lastPos = 0;
  let lastBuf: Buffer = Buffer.alloc(0);
  let lastStart = 0;
  let lastEnd = 0;
  let spanBuf: Buffer | null = null;
  let spanStart = 0;
  let spanEnd = 0;
  while (!r.done) {
    let c = 1;
    if (has) {
      c = compareChrom(r.rank, r.chr, lastRank, lastChr);
      if (c === 0) c = r.pos - lastPos;
      if (c === 0) c = Buffer.compare(r.buf.subarray(r.start, r.end), lastBuf.subarray(lastStart, lastEnd));
    }
    if (c >= 0) {
      if (spanBuf === r.buf && spanEnd === r.start) {
        spanEnd = r.end + 1;
      } else {
        if (spanBuf) w0.add(spanBuf.subarray(spanStart, spanEnd));
        spanBuf = r.buf;
        spanStart = r.start;
        spanEnd = r.end + 1;
      }
      has = true;
      lastRank = r.rank;
      lastChr = r.chr;
      lastPos = r.pos;
      lastBuf = r.buf;
      lastStart = r.start;
      lastEnd = r.end;
    } else {
      await sort.hold(r.buf, r.start, r.end, r.rank, r.chr, r.pos);
    }
    rows++;
    if (!r.advance()) {
      if (spanBuf) w0.add(spanBuf.subarray(spanStart, spanEnd));
      spanBuf = null;
      if (w0.full) await w0.flush();
      await r.refill();
    }
  }
  if (spanBuf) w0.add(spanBuf.subarray(spanStart, spanEnd));
  await w0.flush();
  return rows;
}
