// Output files are written under a temporary name beside the target and renamed when complete, so
// no file that looks finished exists unless the run finished. Temporaries are tracked so a signal or
// an error removes them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { type Writable, PassThrough } from 'node:stream';
import { CompressStream } from 'zstd-napi';
import { fileError } from '../errors.js';

export type OutCompression = 'none' | 'gz' | 'zst';

const liveTemps = new Set<string>();

/** Remove every temporary still registered (called on error and on SIGINT/SIGTERM). */
export function removeAllTemps(): void {
  for (const p of liveTemps) {
    try {
      fs.rmSync(p, { force: true, recursive: true });
    } catch {
      /* nothing more to do */
    }
  }
  liveTemps.clear();
}

export function registerTemp(p: string): void {
  liveTemps.add(p);
}
export function unregisterTemp(p: string): void {
  liveTemps.delete(p);
}

export function tempNameFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  return path.join(dir, `.${path.basename(finalPath)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
}

export function suffixFor(c: OutCompression): string {
  return c === 'gz' ? '.gz' : c === 'zst' ? '.zst' : '';
}

export interface OutputFile {
  finalPath: string;
  tmpPath: string;
  /** Where to write (uncompressed bytes). */
  stream: Writable;
  /** Finish the encoder, flush, fsync-free close, rename to the final name. */
  commit(): Promise<void>;
  /** Finish writing but keep the temporary (e.g. to reuse it as a sorted run). */
  finish(): Promise<void>;
  abort(): void;
}

export function createEncoder(c: OutCompression): Writable & NodeJS.ReadableStream {
  if (c === 'gz') return zlib.createGzip({ level: 6 });
  if (c === 'zst') return new CompressStream({ compressionLevel: 3 }) as unknown as Writable & NodeJS.ReadableStream;
  return new PassThrough({ highWaterMark: 1 << 20 });
}

/** Open FINAL for writing through a temporary. */
export function createOutput(finalPath: string, compression: OutCompression): OutputFile {
  const tmpPath = tempNameFor(finalPath);
  registerTemp(tmpPath);
  // Opened synchronously: an asynchronous open could create the file after an abort removed it.
  let fd: number;
  try {
    fd = fs.openSync(tmpPath, 'wx');
  } catch (e) {
    unregisterTemp(tmpPath);
    throw fileError(e, finalPath);
  }
  const file = fs.createWriteStream(tmpPath, { fd, highWaterMark: 1 << 20 });
  const enc = createEncoder(compression);
  let failed: Error | null = null;
  const fail = (e: unknown) => {
    failed = failed ?? fileError(e, finalPath);
  };
  file.on('error', fail);
  enc.on('error', fail);
  enc.pipe(file);
  const finished = new Promise<void>((resolve, reject) => {
    file.on('close', () => (failed ? reject(failed) : resolve()));
    file.on('error', (e) => reject(fileError(e, finalPath)));
  });
  finished.catch(() => {});
  let finishing: Promise<void> | null = null;
  const finish = () => {
    if (!finishing) {
      finishing = (async () => {
        enc.end();
        await finished;
        if (failed) throw failed;
      })();
    }
    return finishing;
  };
  return {
    finalPath,
    tmpPath,
    stream: enc,
    finish,
    async commit() {
      await finish();
      try {
        await fs.promises.rename(tmpPath, finalPath);
      } catch (e) {
        throw fileError(e, finalPath);
      }
      unregisterTemp(tmpPath);
    },
    abort() {
      enc.destroy();
      file.destroy();
      try {
        fs.rmSync(tmpPath, { force: true });
      } catch {
        /* ignore */
      }
      unregisterTemp(tmpPath);
    },
  };
}

/** Write and respect backpressure. */
export function writeAsync(w: Writable, data: Uint8Array | string): Promise<void> | null {
  if (w.write(data)) return null;
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      w.off('error', onErr);
      resolve();
    };
    const onErr = (e: Error) => {
      w.off('drain', onDrain);
      reject(e);
    };
    w.once('drain', onDrain);
    w.once('error', onErr);
  });
}
