// Main-thread BGEN reading, the one header reader and record reader of assoc, prs and report
// --ld-ref: the header, then whole variant records cut into chunks by their small length fields
// only (never decompressing genotype blocks), optionally seeking through a bgenix .bgi index
// straight to the requested regions. Every length is checked against the file size and a maximum
// before anything is buffered for it (issue 15.14).
import * as fs from 'node:fs';
import { InputError, fileError } from '../errors.js';
import { openFileForRead } from '../io/input.js';
import { normChr } from '../formats/chrom.js';
import { BgenRecordParser, bgenHeaderBytesNeeded, parseBgenHeader, parseVariantHeader, openBgiDatabase, readBgi, type BgenHeader, type BgiEntry } from '../formats/bgen/index.js';
import { MAX_RECORD_FIELD_BYTES } from '../formats/bgen/variant.js';
import { FileError } from '../errors.js';
import type { Region } from '../workers/protocol.js';

export interface BgenChunk {
  buf: Uint8Array;
  fileOffset: number;
  nVariants: number;
}

/** Header and sample identifiers of a BGEN file (the one header reader: assoc, prs, report). */
export async function readBgenHeader(file: string): Promise<BgenHeader> {
  const { fh, size } = await openFileForRead(file);
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    const need = Math.min(size, bytesRead < 4 ? 4 : bgenHeaderBytesNeeded(head));
    // Checked before reading: a corrupt offset in a large file would otherwise size the buffer (15.14).
    if (need > MAX_RECORD_FIELD_BYTES)
      throw new InputError(`first variant offset ${need} is above the ${MAX_RECORD_FIELD_BYTES}-byte maximum for a header and sample block: the offset (byte 0) is corrupt`, { file, byteOffset: 0 });
    const buf = Buffer.alloc(Math.max(need, Math.min(size, 24)));
    await fh.read(buf, 0, buf.length, 0);
    return parseBgenHeader(buf, file, { fileSize: size });
  } catch (e) {
    throw fileError(e, file);
  } finally {
    await fh.close();
  }
}

/**
 * All records from the first variant on (or records [skip, skip + take) for a shard), in chunks of
 * at least `target` bytes of whole records. `readSize`: bytes per file read (tests: chunk edges).
 * `take` gives each chunk's buffer (at least the bytes asked; the chunk is a prefix of it): assoc
 * passes buffers the workers hand back, so a run allocates a window of chunk buffers, not one a chunk.
 */
export async function* bgenChunks(
  file: string,
  header: BgenHeader,
  target: number,
  range?: { skip: number; take: number },
  readSize = 1 << 20,
  take: (minBytes: number) => ArrayBuffer = (n) => new ArrayBuffer(n),
): AsyncGenerator<BgenChunk> {
  const skip = range?.skip ?? 0;
  const want = range ? Math.max(0, Math.min(header.nVariants - skip, range.take)) : header.nVariants;
  const { fh, size } = await openFileForRead(file);
  const parser = new BgenRecordParser({ fileSize: size });
  // The file is read straight into `pending` (a read stream allocated a buffer a read: decision 0019).
  let pending = new Uint8Array(Math.max(target * 2, 1 << 16));
  let have = 0; // bytes in pending
  let base = header.firstVariantOffset; // file offset of pending[0]
  let start = 0; // first byte of the chunk being gathered
  let scan = 0; // end of the records measured so far
  let records = 0; // whole records in pending[start, scan)
  let skipped = 0;
  let total = 0;
  /** Measure the record at scan; false when pending does not hold all of it yet. */
  const measure = (atEnd: boolean): boolean => {
    // `have` bounds the scan: no subarray view per record (1M records made 1M views on this thread).
    const len = parser.recordLength(pending, scan, header, base, file, atEnd, have);
    if (len < 0 || scan + len > have) return false;
    scan += len;
    if (skipped < skip) {
      // Records before the shard: measured from their headers, never decoded or sent.
      skipped++;
      start = scan;
    } else {
      records++;
    }
    return true;
  };
  const cut = (): BgenChunk => {
    const len = scan - start;
    // Room for a little more than the target, so a handed-back buffer fits the next chunk too.
    const out = new Uint8Array(take(Math.max(len, target + (target >> 3))), 0, len);
    out.set(pending.subarray(start, scan));
    const chunk = { buf: out, fileOffset: base + start, nVariants: records };
    total += records;
    start = scan;
    records = 0;
    return chunk;
  };
  try {
    for (;;) {
      if (pending.length - have < readSize) {
        // Compact, and grow only when a single record outgrows the buffer.
        pending.copyWithin(0, start, have);
        have -= start;
        scan -= start;
        base += start;
        start = 0;
        if (have === pending.length) {
          const bigger = new Uint8Array(pending.length * 2);
          bigger.set(pending);
          pending = bigger;
        }
      }
      const { bytesRead } = await fh.read(pending, have, Math.min(readSize, pending.length - have), base + have);
      if (bytesRead === 0) break;
      have += bytesRead;
      while (total + records < want && measure(false)) {
        if (scan - start >= target) yield cut();
      }
      if (total + records >= want) break;
    }
    // End of file: what is left must be whole records, as many as the header announced.
    while (total + records < want && scan < have) if (!measure(true)) break;
  } catch (e) {
    throw fileError(e, file);
  } finally {
    await fh.close();
  }
  if (records > 0) yield cut();
  checkRecordCount(file, header, range !== undefined, { want, read: total, skipped, end: base + scan, size });
}

/** After the last chunk: the records read against the header's count (a shard reads a slice of them). */
function checkRecordCount(file: string, header: BgenHeader, shard: boolean, c: { want: number; read: number; skipped: number; end: number; size: number }): void {
  if (!shard && header.nVariants === 0) throw new InputError('no variants: the header announces 0 (plink2: "Empty .bgen file")', { file, byteOffset: 8 });
  if (!shard && c.read === c.want && c.end < c.size) {
    // plink2 reads the first M records and ignores the rest; records nobody reads are lost results.
    throw new InputError(`the header announces ${header.nVariants} variants but more data follows the last of them: the header's count (byte 8) is wrong`, { file, byteOffset: c.end });
  }
  if (c.read < c.want) {
    throw new InputError(`truncated: the header announces ${header.nVariants} variants but the file ends after ${c.skipped + c.read}`, { file, byteOffset: c.end });
  }
}

/** Index entries for the regions (bgenix stores chromosome codes as written, e.g. "01"). */
export function bgiEntriesFor(bgi: string, regions: Region[]): BgiEntry[] {
  let codes: string[];
  try {
    const db = openBgiDatabase(bgi);
    try {
      codes = (db.prepare('SELECT DISTINCT chromosome AS c FROM Variant').all() as { c: string }[]).map((r) => r.c);
    } finally {
      db.close();
    }
  } catch (e) {
    throw new InputError(`cannot read the bgenix index (${(e as Error).message.toLowerCase()})`, { file: bgi }, { cause: e });
  }
  const seen = new Map<number, BgiEntry>();
  for (const r of regions) {
    for (const c of codes) {
      if (normChr(c) !== r.chr) continue;
      const entries = readBgi(bgi, { chr: c, start: r.start, end: Number.isFinite(r.end) ? r.end : undefined });
      for (const e of entries) seen.set(e.fileStart, e);
    }
  }
  return [...seen.values()].sort((a, b) => a.fileStart - b.fileStart);
}

/** The indexed records, read by seeking, in chunks of contiguous records (`take`: as bgenChunks). */
export async function* bgenIndexedChunks(file: string, entries: BgiEntry[], target: number, take: (minBytes: number) => ArrayBuffer = (n) => new ArrayBuffer(n)): AsyncGenerator<BgenChunk> {
  const { fh, size } = await openFileForRead(file);
  try {
    let i = 0;
    while (i < entries.length) {
      let j = i;
      let bytes = entries[i].size;
      while (j + 1 < entries.length && entries[j + 1].fileStart === entries[j].fileStart + entries[j].size && bytes < target) {
        j++;
        bytes += entries[j].size;
      }
      const start = entries[i].fileStart;
      if (start + bytes > size) throw new InputError(`the index points past the end of the file (${start + bytes} > ${size} bytes): is the .bgi stale?`, { file, byteOffset: start });
      const buf = new Uint8Array(take(Math.max(bytes, target + (target >> 3))), 0, bytes);
      await fh.read(buf, 0, bytes, start);
      yield { buf, fileOffset: start, nVariants: j - i + 1 };
      i = j + 1;
    }
  } finally {
    await fh.close();
  }
}

interface BgiRow {
  chromosome: string;
  position: number;
  fileStart: number;
  size: number;
}

/**
 * Check that a bgenix index belongs to FILE as it is now, before trusting its offsets: the size and
 * first 1000 bytes bgenix recorded in its Metadata table, the number of records against the header's
 * M, and the first, middle and last record's chromosome, position and length read from the file. A
 * file that grew or changed after indexing, or an index with wrong positions, is an InputError (it
 * used to give some or none of the region's variants with exit 0).
 */
export async function verifyBgi(bgi: string, file: string, header: BgenHeader): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.statSync(bgi);
  } catch (e) {
    throw fileError(e, bgi);
  }
  if (st.isDirectory()) throw new FileError('is a directory, not a file (a .bgi index is a bgenix SQLite file)', { file: bgi });
  const stale = (why: string) => new InputError(`the bgenix index does not match ${file}: ${why}; re-index it (bgenix -g FILE -index) or remove it`, { file: bgi });
  let meta: { file_size: number; first: Uint8Array } | undefined;
  let count = 0;
  let rows: BgiRow[] = [];
  try {
    const db = openBgiDatabase(bgi);
    try {
      const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'Metadata'").get() !== undefined;
      if (hasMeta) meta = db.prepare('SELECT file_size, first_1000_bytes AS first FROM Metadata').get() as typeof meta;
      count = (db.prepare('SELECT count(*) AS n FROM Variant').get() as { n: number }).n;
      const at = (k: number) =>
        db.prepare('SELECT chromosome, position, file_start_position AS fileStart, size_in_bytes AS size FROM Variant ORDER BY file_start_position LIMIT 1 OFFSET ?').get(k) as BgiRow | undefined;
      rows = [...new Set([0, count >> 1, count - 1])]
        .filter((k) => k >= 0 && k < count)
        .map((k) => at(k)!)
        .filter(Boolean);
    } finally {
      db.close();
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`not a bgenix index (${String((e as Error).message).toLowerCase()})`, { file: bgi }, { cause: e });
  }
  const { fh, size } = await openFileForRead(file);
  try {
    if (meta) {
      if (Number(meta.file_size) !== size) throw stale(`it was made for a file of ${meta.file_size} bytes, the file has ${size}`);
      const first = Buffer.alloc(Math.min(1000, size));
      await fh.read(first, 0, first.length, 0);
      if (!first.equals(Buffer.from(meta.first.subarray(0, first.length)))) throw stale('the first 1000 bytes differ');
    }
    if (count !== header.nVariants) throw stale(`it lists ${count} variants, the header announces ${header.nVariants}`);
    for (const r of rows) {
      const bad = `its record at byte ${r.fileStart} (${r.chromosome}:${r.position}, ${r.size} bytes) is not a variant there`;
      if (!(r.fileStart >= header.firstVariantOffset && r.size > 0 && r.fileStart + r.size <= size)) throw stale(bad);
      if (r.size > 1 << 28) throw stale(bad);
      const buf = Buffer.alloc(r.size);
      await fh.read(buf, 0, buf.length, r.fileStart);
      let v: ReturnType<typeof parseVariantHeader> = null;
      try {
        v = parseVariantHeader(buf, 0, header, r.fileStart, file, true);
      } catch {
        v = null;
      }
      if (!v || v.position !== r.position || normChr(v.chr) !== normChr(r.chromosome) || v.blockStart + v.blockLength !== r.size) throw stale(bad);
    }
  } finally {
    await fh.close();
  }
}
