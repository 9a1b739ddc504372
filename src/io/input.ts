// Opening inputs: files or stdin, compression detected from the first bytes (never the file name),
// decompressed as a stream. The only module that knows about gzip and zstd on the read side.
import * as fs from 'node:fs';
import { MAX_LINE_BYTES, countLF, lineTooLong } from './lines.js';
import { decodeBytes } from './text.js';
import * as zlib from 'node:zlib';
import { type Readable, Transform } from 'node:stream';
import { DecompressStream } from 'zstd-napi';
import { FileError, InputError, fileError } from '../errors.js';

export type Compression = 'none' | 'gzip' | 'zstd';

/**
 * Compression from magic bytes: gzip (and BGZF) 1f 8b; a zstd frame 28 b5 2f fd, or a zstd
 * skippable frame 5? 2a 4d 18 (0x184D2A50-5F little-endian: pzstd starts its files with one).
 */
export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head.length >= 4 && (head[0] & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) return 'zstd';
  return 'none';
}

export interface OpenedInput {
  file: string;
  compression: Compression;
  /** Decompressed bytes. Errors are InputError/FileError naming the file (and byte offset). */
  stream: Readable;
  /** Raw (compressed) bytes read so far. */
  rawBytesRead(): number;
}

export const READ_HIGH_WATER_MARK = 1 << 20;

/** An opened file: for a regular file its first bytes and their compression; pipes cannot be peeked here. */
export interface SniffedFile {
  fh: fs.promises.FileHandle;
  regular: boolean;
  /** Regular files only: the first (up to 4) bytes and the compression they show. */
  head: Buffer | null;
  compression: Compression | null;
}

/** Open a file for reading; a regular file's first bytes are read by position and sniffed. */
export async function openSniffed(file: string): Promise<SniffedFile> {
  const { fh, regular } = await openFileForRead(file);
  if (!regular) return { fh, regular, head: null, compression: null };
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    const head = b.subarray(0, bytesRead);
    return { fh, regular, head, compression: sniffCompression(head) };
  } catch (err) {
    await fh.close();
    throw fileError(err, file);
  }
}

/**
 * Open a file (or '-' for stdin) and return its decompressed byte stream; `opened` is the file when
 * the caller has opened (and sniffed) it already: the stream takes it over.
 */
export async function openInput(file: string, opened?: SniffedFile): Promise<OpenedInput> {
  let raw: Readable;
  let head: Buffer;
  if (file === '-') {
    raw = process.stdin;
    head = await peek(raw, 4);
  } else {
    const o = opened ?? (await openSniffed(file));
    if (o.head === null) {
      // A pipe (`--gen <(zcat x.gen.gz)`, a FIFO): no seeking, so peek at the stream itself.
      raw = o.fh.createReadStream({ highWaterMark: READ_HIGH_WATER_MARK });
      try {
        head = await peek(raw, 4);
      } catch (err) {
        raw.destroy();
        throw fileError(err, file);
      }
    } else {
      head = o.head;
      raw = o.fh.createReadStream({ start: 0, highWaterMark: READ_HIGH_WATER_MARK });
    }
  }
  const compression = sniffCompression(head);
  let rawCount = 0;
  raw.on('data', (b: Buffer) => {
    rawCount += b.length;
  });
  if (compression === 'none') {
    const out = raw;
    const mapped = new Transform({
      highWaterMark: 1,
      transform(chunk, _enc, cb) {
        cb(null, chunk);
      },
    });
    raw.on('error', (e) => mapped.destroy(fileError(e, file)));
    // A reader that stops early destroys what we return: close the file with it.
    mapped.on('close', () => raw.destroy());
    out.pipe(mapped);
    return { file, compression, stream: mapped, rawBytesRead: () => rawCount };
  }
  const dec: Transform = compression === 'gzip' ? zlib.createGunzip({ chunkSize: 1 << 18 }) : (new DecompressStream() as unknown as Transform);
  const label = compression === 'gzip' ? 'gzip' : 'zstd';
  // Map decoder errors to one-line input errors with the compressed byte offset reached.
  const origDestroy = dec.destroy.bind(dec);
  let mappedOnce = false;
  dec.destroy = ((err?: Error) => {
    if (err && !mappedOnce) {
      mappedOnce = true;
      err = mapCodecError(err, file, label, rawCount);
    }
    return origDestroy(err);
  }) as typeof dec.destroy;
  raw.on('error', (e) => dec.destroy(fileError(e, file)));
  dec.on('close', () => raw.destroy());
  raw.pipe(dec);
  return { file, compression, stream: dec, rawBytesRead: () => rawCount };
}

function mapCodecError(err: Error, file: string, label: string, offset: number): Error {
  if (err instanceof FileError || err instanceof InputError) return err;
  const msg = err.message || String(err);
  if (/unexpected end of file|ended in middle|truncated/i.test(msg)) {
    return new InputError(`truncated ${label} stream: input ended after ${offset} compressed bytes`, { file, byteOffset: offset }, { cause: err });
  }
  return new InputError(`corrupt ${label} stream (${msg.toLowerCase()})`, { file, byteOffset: offset }, { cause: err });
}

/** Read at least n bytes (or to EOF) from a paused stream and push them back. */
async function peek(s: Readable, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  await new Promise<void>((resolve, reject) => {
    const onReadable = () => {
      let b: Buffer | null;
      while (have < n && (b = s.read()) !== null) {
        parts.push(b);
        have += b.length;
      }
      if (have >= n) done();
    };
    const onEnd = () => done();
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const cleanup = () => {
      s.off('readable', onReadable);
      s.off('end', onEnd);
      s.off('error', onError);
    };
    const done = () => {
      cleanup();
      resolve();
    };
    s.on('readable', onReadable);
    s.on('end', onEnd);
    s.on('error', onError);
  });
  const all = Buffer.concat(parts);
  if (all.length) s.unshift(all);
  return all.subarray(0, n);
}

/** Open a regular file for reading: a directory or an unreadable path is a FileError naming it. */
export async function openFileForRead(file: string): Promise<{ fh: fs.promises.FileHandle; size: number; regular: boolean }> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch (e) {
    throw fileError(e, file);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new FileError('is a directory, not a file', { file });
    return { fh, size: st.size, regular: st.isFile() };
  } catch (e) {
    await fh.close();
    throw fileError(e, file);
  }
}

/** Read a whole (small) file as text, decompressing if needed. For sample/pheno/covar tables. */
export async function readTextFile(file: string): Promise<string> {
  const inp = await openInput(file);
  const parts: Buffer[] = [];
  let lines = 0;
  let run = 0; // bytes since the last '\n'
  for await (const b of inp.stream as AsyncIterable<Buffer>) {
    const last = b.lastIndexOf(10);
    if (last < 0) run += b.length;
    else {
      lines += countLF(b);
      run = b.length - last - 1;
    }
    if (run > MAX_LINE_BYTES) {
      inp.stream.destroy();
      throw lineTooLong(file, lines + 1, b);
    }
    parts.push(b);
  }
  return decodeBytes(Buffer.concat(parts)); // IDs compared as bytes (15.6)
}
