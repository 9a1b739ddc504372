// Main-thread VCF reading: the header (samples), then chunks for the workers. BGZF files are cut at
// block boundaries from each block's BSIZE field and shipped compressed (workers inflate); records
// that span two chunks come back as the worker's partial first/last line and are stitched here
// (VcfStitcher). Plain gzip and uncompressed text are decompressed here and cut at line ends, as
// .gen is. Decision record: docs/decisions/0301-vcf-bgzf-chunks.md.
import * as fs from 'node:fs';
import { DecodeError, FileError, InputError, fileError } from '../errors.js';
import { normChr } from '../formats/chrom.js';
import { blockLength, inflateBlocks, isBgzf } from '../formats/vcf/bgzf.js';
import { parseVcfHeaderLine } from '../formats/vcf/decode.js';
import { decodeBytes } from '../io/text.js';
import * as zlib from 'node:zlib';
import { Readable, type Transform } from 'node:stream';
import { DecompressStream } from 'zstd-napi';
import { openFileForRead, sniffCompression, type Compression } from '../io/input.js';
import { chunkLines } from './chunker.js';
import { MAX_LINE_BYTES, countLF, lineTooLong } from '../io/lines.js';
import type { Region, WorkerResponse } from '../workers/protocol.js';

export const VCF_BGZF_CHUNK = 1 << 20;
/**
 * A BGZF chunk also ends when its blocks' ISIZEs reach this: a worker's inflated buffer stays bounded
 * on highly compressible input (1 MiB of blocks can hold ~1 GiB of data). Real VCFs inflate ~4-20x.
 */
export const VCF_BGZF_INFLATED = 16 << 20;
const LF = 10;
let READ = 1 << 20;

/** Bytes a file read asks for (tests: 1-, 7-, 4096-byte reads). */
export function setVcfReadSize(n: number): void {
  READ = n;
}

export interface VcfChunk {
  /** The chunk: a prefix of its ArrayBuffer (BGZF chunks are cut into buffers from `take`, reused). */
  buf: Uint8Array;
  /** Compressed blocks (workers inflate) or whole lines of text. */
  bgzf: boolean;
  /** File offset of buf[0] (BGZF) for messages. */
  fileOffset: number;
  /** --region through an index: a new segment; its first record starts at this byte of the inflated data, on chromosome expectChr. */
  startAt?: number;
  expectChr?: string;
}

export interface VcfSource {
  file: string;
  samples: string[];
  /** Lines of the header, #CHROM line included. */
  headerLines: number;
  bgzf: boolean;
  /** Decompressed bytes after the #CHROM line in its last block (BGZF): whole lines, maybe a partial one. */
  carry: Uint8Array;
  /** The chunks; BGZF chunks are copied into buffers of at least the bytes asked from `take` (a pool), else their own. */
  chunks(target: number, take?: TakeBuffer): AsyncGenerator<VcfChunk>;
  /** Stop reading from the start (an index is used instead). */
  close(): Promise<void>;
  /** Whether the chunks reached the end of the file (else the stitcher's last partial line is dropped). */
  state: { eof: boolean };
}

/** A buffer of at least minBytes for a chunk (assoc's BufferPool: the workers hand chunk buffers back). */
export type TakeBuffer = (minBytes: number) => ArrayBuffer;
const ownBuffer: TakeBuffer = (n) => new ArrayBuffer(n);

/** Reads up to len bytes into buf at off; 0 at the end. */
type ReadInto = (buf: Uint8Array, off: number, len: number) => Promise<number>;

/**
 * Raw bytes of a file or stdin, with a growable window (pending[start, have)). A file is read
 * straight into the window (no stream buffer per read and no copy of it: decision 0302, session 9).
 */
class RawReader {
  pending = new Uint8Array(Math.max(READ * 2, 1 << 16));
  /** Bytes before start may be dropped; scan is the cursor. */
  start = 0;
  scan = 0;
  have = 0;
  /** File offset of pending[0]. */
  base = 0;
  eof = false;
  private it: AsyncIterator<Buffer> | null = null;
  private readInto: ReadInto | null = null;
  constructor(
    src: AsyncIterable<Buffer> | ReadInto,
    private readonly release: () => Promise<void> = async () => {},
  ) {
    if (typeof src === 'function') this.readInto = src;
    else this.it = src[Symbol.asyncIterator]();
  }
  /** Read more; false at EOF. */
  async more(): Promise<boolean> {
    if (this.eof) return false;
    if (this.readInto) {
      this.room(READ);
      const n = await this.readInto(this.pending, this.have, READ);
      if (n === 0) this.eof = true;
      this.have += n;
      return n > 0;
    }
    const r = await this.it!.next();
    if (r.done) {
      this.eof = true;
      return false;
    }
    const piece = r.value;
    this.room(piece.length);
    this.pending.set(piece, this.have);
    this.have += piece.length;
    return true;
  }
  /** Room for n more bytes after have: the bytes before start dropped, the window grown if need be. */
  private room(n: number): void {
    if (this.have + n <= this.pending.length) return;
    this.pending.copyWithin(0, this.start, this.have);
    this.have -= this.start;
    this.scan -= this.start;
    this.base += this.start;
    this.start = 0;
    if (this.have + n > this.pending.length) {
      const g = new Uint8Array(Math.max(this.pending.length * 2, this.have + n));
      g.set(this.pending.subarray(0, this.have));
      this.pending = g;
    }
  }
  async close(): Promise<void> {
    await this.it?.return?.();
    await this.release();
  }
}

/** Sequential reads of an open file from `pos` on (null: from its current position, pipes too). */
function readsOf(fh: fs.promises.FileHandle, pos: number | null = null): ReadInto {
  return async (buf, off, len) => {
    const { bytesRead } = await fh.read(buf, off, len, pos);
    if (pos !== null) pos += bytesRead;
    return bytesRead;
  };
}

/** Open a VCF (bgzip, gzip or plain, from content; '-' = stdin) and read its header. */
export async function openVcf(file: string): Promise<VcfSource> {
  let raw: RawReader;
  if (file === '-') raw = new RawReader(process.stdin);
  else {
    const { fh } = await openFileForRead(file);
    let open = true;
    raw = new RawReader(readsOf(fh), async () => {
      if (open) await fh.close();
      open = false;
    });
  }
  try {
    return await openRaw(file, raw);
  } catch (e) {
    // Nothing will read on: release the file now, not at garbage collection.
    await raw.close().catch(() => {});
    throw e;
  }
}

async function openRaw(file: string, raw: RawReader): Promise<VcfSource> {
  try {
    while (raw.have < 18 && (await raw.more()));
  } catch (e) {
    throw fileError(e, file);
  }
  const head = raw.pending.subarray(0, raw.have);
  if (head.length >= 5 && head[0] === 66 && head[1] === 67 && head[2] === 70 && head[3] <= 4) {
    throw new InputError('a BCF file: convert it with `bcftools view -Oz -o FILE.vcf.gz FILE.bcf` (then `tabix -p vcf FILE.vcf.gz` for --region)', { file });
  }
  if (isBgzf(head)) {
    if (head.length >= 5 && inflatedStartsBcf(head))
      throw new InputError('a BCF file: convert it with `bcftools view -Oz -o FILE.vcf.gz FILE.bcf` (then `tabix -p vcf FILE.vcf.gz` for --region)', { file });
    return openBgzf(file, raw);
  }
  return openText(file, raw);
}

function inflatedStartsBcf(head: Uint8Array): boolean {
  try {
    const len = blockLength(head, 0, head.length);
    if (len < 0 || len > head.length) return false;
    const d = inflateBlocks(head, 0, len, { buf: new Uint8Array(1 << 16) });
    return d.length >= 3 && d[0] === 66 && d[1] === 67 && d[2] === 70;
  } catch {
    return false;
  }
}

/** Header lines from text; the index just past the #CHROM line's '\n', or -1 if not complete. */
function findHeaderEnd(t: Uint8Array, from: number): { end: number; lines: number; chromLine?: string } {
  let p = 0;
  let lines = 0;
  for (;;) {
    const j = t.indexOf(LF, p);
    if (j < 0) return { end: -1, lines };
    lines++;
    if (t[p] !== 35) {
      throw new InputError('no #CHROM header line before the first record: not a VCF', { line: lines });
    }
    if (t[p + 1] === 67 && t[p + 2] === 72) {
      return { end: j + 1, lines, chromLine: decodeBytes(t.subarray(p, j)) }; // sample names compared as bytes (15.6)
    }
    p = j + 1;
    if (p < from) continue;
  }
}

function headerSamples(file: string, line: string, lineNo: number): string[] {
  try {
    return parseVcfHeaderLine(line);
  } catch (e) {
    throw e instanceof DecodeError ? e.at({ file, line: lineNo }) : e;
  }
}

async function openBgzf(file: string, raw: RawReader): Promise<VcfSource> {
  // The header: blocks inflated here, one at a time, until the #CHROM line is complete.
  let text = new Uint8Array(1 << 16);
  let tlen = 0;
  let found: ReturnType<typeof findHeaderEnd> | null = null;
  const scratch = { buf: new Uint8Array(1 << 16) };
  while (!found || found.end < 0) {
    const len = await nextBlock(file, raw);
    if (len === 0) throw new InputError('no #CHROM header line: not a VCF (or truncated)', { file });
    const d = inflateOne(file, raw, len, scratch);
    if (tlen + d.length > text.length) {
      const g = new Uint8Array(Math.max(text.length * 2, tlen + d.length));
      g.set(text.subarray(0, tlen));
      text = g;
    }
    text.set(d, tlen);
    tlen += d.length;
    try {
      found = findHeaderEnd(text.subarray(0, tlen), 0);
    } catch (e) {
      throw new InputError((e as Error).message, { file, line: (e as InputError).line });
    }
  }
  const samples = headerSamples(file, found.chromLine!, found.lines);
  const carry = text.slice(found.end, tlen);
  return {
    file,
    samples,
    headerLines: found.lines,
    bgzf: true,
    carry,
    chunks: (target, take) => bgzfChunks(file, raw, target, take),
    close: () => raw.close(),
    state: { eof: false },
  };
}

/** Length of the next whole block at raw.start (0 at a clean EOF); InputError when truncated. */
async function nextBlock(file: string, raw: RawReader): Promise<number> {
  for (;;) {
    let len: number;
    try {
      len = raw.scan < raw.have ? blockLength(raw.pending, raw.scan, raw.have) : -1;
    } catch (e) {
      throw e instanceof DecodeError ? e.at({ file, byteOffset: raw.base + (e.byteOffset ?? raw.scan) }) : e;
    }
    if (len > 0 && raw.scan + len <= raw.have) return len;
    let more: boolean;
    try {
      more = await raw.more();
    } catch (e) {
      throw fileError(e, file);
    }
    if (!more) {
      if (raw.scan >= raw.have) return 0;
      throw new InputError(`truncated BGZF file: the block at byte ${raw.base + raw.scan} is cut short`, { file, byteOffset: raw.base + raw.scan });
    }
  }
}

function inflateOne(file: string, raw: RawReader, len: number, scratch: { buf: Uint8Array }): Uint8Array {
  try {
    const d = inflateBlocks(raw.pending, raw.scan, raw.scan + len, scratch);
    raw.scan += len;
    raw.start = raw.scan;
    return d;
  } catch (e) {
    throw e instanceof DecodeError ? e.at({ file, byteOffset: raw.base + (e.byteOffset ?? raw.scan) }) : e;
  }
}

/** The ISIZE (inflated length) the whole block at raw.scan declares in its last 4 bytes. */
function isizeOf(raw: RawReader, len: number): number {
  const b = raw.pending;
  const e = raw.scan + len;
  return (b[e - 4] | (b[e - 3] << 8) | (b[e - 2] << 16)) + b[e - 1] * 16777216;
}

/** Runs of whole BGZF blocks of at least `target` compressed bytes (or VCF_BGZF_INFLATED inflated), copied into buffers of their own. */
async function* bgzfChunks(file: string, raw: RawReader, target: number, take: TakeBuffer = ownBuffer): AsyncGenerator<VcfChunk> {
  try {
    for (;;) {
      raw.start = raw.scan;
      let len = 1;
      let inflated = 0;
      while (raw.scan - raw.start < target && inflated < VCF_BGZF_INFLATED) {
        len = await nextBlock(file, raw);
        if (len === 0) break;
        inflated += isizeOf(raw, len);
        raw.scan += len;
      }
      if (raw.scan === raw.start) break;
      const buf = new Uint8Array(take(raw.scan - raw.start), 0, raw.scan - raw.start);
      buf.set(raw.pending.subarray(raw.start, raw.scan));
      const fileOffset = raw.base + raw.start;
      raw.start = raw.scan;
      yield { buf, bgzf: true, fileOffset };
      if (len === 0) break;
    }
  } finally {
    await raw.close();
  }
}

async function openText(file: string, raw: RawReader): Promise<VcfSource> {
  // gzip or plain: decompressed here (openInput over the bytes already read and the rest).
  const compression = sniffCompression(raw.pending.subarray(0, Math.min(raw.have, 4)));
  const rest = (async function* () {
    yield Buffer.from(raw.pending.slice(0, raw.have));
    raw.start = raw.have;
    while (await raw.more()) {
      yield Buffer.from(raw.pending.subarray(raw.start, raw.have));
      raw.start = raw.have;
    }
  })();
  const inp = decodeIterable(file, rest, compression);
  const it = (inp as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let text = new Uint8Array(0);
  let found: ReturnType<typeof findHeaderEnd> | null = null;
  while (!found || found.end < 0) {
    let r: IteratorResult<Buffer>;
    try {
      r = await it.next();
    } catch (e) {
      throw fileError(e, file);
    }
    if (r.done) throw new InputError('no #CHROM header line: not a VCF (or truncated)', { file });
    const g = new Uint8Array(text.length + r.value.length);
    g.set(text);
    g.set(r.value, text.length);
    text = g;
    try {
      found = findHeaderEnd(text, 0);
    } catch (e) {
      throw new InputError((e as Error).message, { file, line: (e as InputError).line });
    }
  }
  const samples = headerSamples(file, found.chromLine!, found.lines);
  const leftover = text.slice(found.end);
  const body = (async function* () {
    if (leftover.length) yield leftover;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value as Uint8Array;
    }
  })();
  return {
    file,
    samples,
    headerLines: found.lines,
    bgzf: false,
    carry: new Uint8Array(0),
    close: async () => {
      await it.return?.();
      await raw.close();
    },
    state: { eof: false },
    chunks: (target) =>
      (async function* () {
        for await (const buf of chunkLines(body, target, file, found.lines)) yield { buf, bgzf: false, fileOffset: 0 };
      })(),
  };
}

/** Decompress (gzip, zstd) or pass through an iterable of raw bytes. */
function decodeIterable(file: string, src: AsyncIterable<Buffer>, c: Compression): AsyncIterable<Buffer> {
  if (c === 'none') return mapErrors(src, file, 'input');
  const tmp = Readable.from(src, { objectMode: false });
  const dec = c === 'gzip' ? zlib.createGunzip({ chunkSize: 1 << 18 }) : (new DecompressStream() as unknown as Transform);
  tmp.on('error', (e) => dec.destroy(fileError(e, file)));
  tmp.pipe(dec);
  return mapErrors(dec, file, c);
}

async function* mapErrors(s: AsyncIterable<Buffer>, file: string, label: string): AsyncGenerator<Buffer> {
  try {
    for await (const b of s) yield b;
  } catch (e) {
    if (e instanceof InputError || e instanceof FileError) throw e;
    const msg = String((e as Error).message ?? e);
    if (/unexpected end of file|truncated/i.test(msg)) throw new InputError(`truncated ${label} stream`, { file });
    throw new InputError(`corrupt ${label} stream (${msg.toLowerCase()})`, { file });
  }
}

/**
 * Joins the partial lines BGZF chunks return (a record cut by a chunk boundary) and decodes them
 * here: about one line a chunk. `decode` is the main thread's own row formatter.
 */
export class VcfStitcher {
  private carry: Uint8Array;
  constructor(
    carry: Uint8Array,
    private readonly decode: (text: Uint8Array) => WorkerResponse,
    private readonly file?: string,
    /** The number of the line the carry starts with (for the message about a line too long). */
    private readonly lineOf: () => number = () => 1,
  ) {
    this.carry = carry;
  }

  /** The rows of the line(s) completed by this chunk's head, or null; keeps its tail. */
  take(r: WorkerResponse): WorkerResponse | null {
    // A new --region segment: the last one's partial line lies past its index chunk; dropped.
    if (r.vcfSegment) this.carry = new Uint8Array(0);
    const head = r.vcfHead!;
    const text = cat(this.carry, head);
    if (r.kind === 'rows' && r.vcfNoLF) {
      // A line with no end in sight: refused at MAX_LINE_BYTES, as the line readers do.
      if (text.length - (text.lastIndexOf(LF) + 1) > MAX_LINE_BYTES) throw lineTooLong(this.file, this.lineOf() + countLF(text), text.subarray(text.lastIndexOf(LF) + 1));
      this.carry = text;
      return null;
    }
    this.carry = (r.kind === 'rows' && r.vcfTail) || new Uint8Array(0);
    return text.length ? this.decode(text) : null;
  }

  /** The final line(s) after the last chunk (a last line without '\n'); dropped when the read stopped before the end of the file (--region). */
  finish(atEof = true): WorkerResponse | null {
    const t = atEof ? this.carry : new Uint8Array(0);
    this.carry = new Uint8Array(0);
    return t.length ? this.decode(t) : null;
  }
}

function cat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const o = new Uint8Array(a.length + b.length);
  o.set(a);
  o.set(b, a.length);
  return o;
}

/** A run of BGZF blocks to read for --region: from `start` to the block at `lastBlock`; the first record at `startAt` of the first block's data. */
export interface VcfSegment {
  start: number;
  lastBlock: number;
  startAt: number;
  /** The chromosome (normalised) the index says the first record is on. */
  chr: string;
}

/** The tabix index beside a file (FILE.tbi, else FILE.csi), or null. */
export function vcfIndexFor(file: string): string | null {
  if (file === '-') return null;
  for (const ext of ['.tbi', '.csi']) if (fs.existsSync(file + ext)) return file + ext;
  return null;
}

/** A .tbi or .csi index (@gmod/tabix), read from its file. */
export async function openTabixIndex(index: string) {
  const { TBI, CSI } = await import('@gmod/tabix');
  const filehandle = {
    readFile: async () => new Uint8Array(await fs.promises.readFile(index)),
    read: async (length: number, position: number) => {
      const fh = await fs.promises.open(index, 'r');
      try {
        const b = new Uint8Array(length);
        const { bytesRead } = await fh.read(b, 0, length, position);
        return b.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
    stat: async () => fs.promises.stat(index),
    close: async () => {},
  };
  return index.endsWith('.csi') ? new CSI({ filehandle: filehandle as never }) : new TBI({ filehandle: filehandle as never });
}

/**
 * The segments of blocks holding the regions' records, from a .tbi/.csi index (@gmod/tabix),
 * overlapping index chunks merged so no block is read twice. An index that points past the end
 * of the file is an error (see the worker's checks of each segment's first record too).
 */
export async function indexedSegments(file: string, index: string, regions: Region[]): Promise<VcfSegment[]> {
  const idx = await openTabixIndex(index);
  let names: string[];
  const chunks: { minv: { blockPosition: number; dataPosition: number }; maxv: { blockPosition: number; dataPosition: number }; chr: string }[] = [];
  try {
    names = (await idx.getMetadata()).refIdToName;
    for (const r of regions) {
      for (const name of names) {
        if (normChr(name) !== r.chr) continue;
        const max = Number.isFinite(r.end) ? r.end : 2 ** 31 - 1;
        for (const c of await idx.blocksForRange(name, Math.max(0, r.start - 1), max)) chunks.push({ minv: c.minv, maxv: c.maxv, chr: r.chr });
      }
    }
  } catch (e) {
    throw new InputError(`cannot read the index (${String((e as Error).message ?? e).toLowerCase()})`, { file: index }, { cause: e });
  }
  const size = (await fs.promises.stat(file)).size;
  chunks.sort((a, b) => a.minv.blockPosition - b.minv.blockPosition || a.minv.dataPosition - b.minv.dataPosition);
  const segs: VcfSegment[] = [];
  for (const c of chunks) {
    if (c.maxv.blockPosition > size)
      throw new InputError(`the index points past the end of ${file} (byte ${c.maxv.blockPosition} of ${size}): it belongs to another file; rebuild it with tabix -p vcf, or remove it to scan`, {
        file: index,
      });
    const last = segs[segs.length - 1];
    if (last && c.minv.blockPosition <= last.lastBlock) last.lastBlock = Math.max(last.lastBlock, c.maxv.blockPosition);
    else segs.push({ start: c.minv.blockPosition, lastBlock: c.maxv.blockPosition, startAt: c.minv.dataPosition, chr: c.chr });
  }
  return segs;
}

/** The segments' blocks in chunks of about `target` bytes; each segment's first chunk says where its first record starts. */
export async function* segmentChunks(file: string, segs: VcfSegment[], target: number, state: { eof: boolean }, take: TakeBuffer = ownBuffer): AsyncGenerator<VcfChunk> {
  const { fh } = await openFileForRead(file);
  try {
    for (const seg of segs) {
      const raw = new RawReader(readsOf(fh, seg.start));
      raw.base = seg.start;
      let first = true;
      let done = false;
      while (!done) {
        raw.start = raw.scan;
        let inflated = 0;
        while (raw.scan - raw.start < target && inflated < VCF_BGZF_INFLATED) {
          if (raw.base + raw.scan > seg.lastBlock) {
            done = true;
            break;
          }
          const len = await nextBlock(file, raw);
          if (len === 0) {
            state.eof = true;
            done = true;
            break;
          }
          inflated += isizeOf(raw, len);
          raw.scan += len;
        }
        if (raw.scan === raw.start) break;
        const buf = new Uint8Array(take(raw.scan - raw.start), 0, raw.scan - raw.start);
        buf.set(raw.pending.subarray(raw.start, raw.scan));
        yield { buf, bgzf: true, fileOffset: raw.base + raw.start, ...(first ? { startAt: seg.startAt, expectChr: seg.chr } : {}) };
        first = false;
      }
      await raw.close();
    }
  } finally {
    await fh.close();
  }
}
