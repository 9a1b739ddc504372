// Output files are written under a temporary name beside the target and renamed when complete, so
// no file that looks finished exists unless the run finished. Temporaries are tracked so a signal or
// an error removes them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Transform, type Writable, PassThrough, pipeline } from 'node:stream';
import { CompressStream } from 'zstd-napi';
import { BgzfWriter } from './bgzf.js';
import { TabixIndexer, TbiSidecar } from './tabix.js';
import { type DosageflowError, FileError, fileError } from '../errors.js';

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
  /** Rename the finished temporary to the final name (see commitAll). */
  rename(): Promise<void>;
  abort(): void;
}

export function createEncoder(c: OutCompression): Writable & NodeJS.ReadableStream {
  if (c === 'gz') return new BgzfWriter();
  if (c === 'zst') return new CompressStream({ compressionLevel: 3 }) as unknown as Writable & NodeJS.ReadableStream;
  return new PassThrough({ highWaterMark: 1 << 20 });
}

/** Where createOutput writes: beside the final name and renamed, or straight through a special file. */
interface OutputPlan {
  /** The file renamed onto (a symbolic link's target, so the link stays a link). */
  target: string;
  /** FIFO, character device or socket (`/dev/null`, `>(cmd)`): written in place, as plink2 does. */
  direct: boolean;
}

/** Whether PATH exists and is a FIFO, device or socket (written in place, never read back). */
export function isSpecialFile(p: string): boolean {
  try {
    const st = fs.statSync(p);
    return !st.isFile() && !st.isDirectory();
  } catch {
    return false;
  }
}

function planOutput(finalPath: string): OutputPlan {
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(finalPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(e, finalPath);
    let link = false;
    try {
      link = fs.lstatSync(finalPath).isSymbolicLink();
    } catch {
      /* no such file: a new output */
    }
    if (link) throw new FileError('is a symbolic link to a missing file: give the target or remove the link', { file: finalPath });
    return { target: finalPath, direct: false };
  }
  if (st.isDirectory()) throw new FileError('is a directory, not a file', { file: finalPath });
  if (!st.isFile()) return { target: finalPath, direct: true };
  return { target: fs.lstatSync(finalPath).isSymbolicLink() ? fs.realpathSync(finalPath) : finalPath, direct: false };
}

/** The file stream of an output: the special file itself, or the temporary beside the target. */
function openOutputFile(plan: OutputPlan, finalPath: string, tmpPath: string): fs.WriteStream {
  // Opened asynchronously: opening a FIFO waits for its reader.
  if (plan.direct) return fs.createWriteStream(finalPath, { flags: 'w', highWaterMark: 1 << 20 });
  registerTemp(tmpPath);
  // Opened synchronously: an asynchronous open could create the file after an abort removed it.
  let fd: number;
  try {
    fd = fs.openSync(tmpPath, 'wx');
  } catch (e) {
    unregisterTemp(tmpPath);
    throw fileError(e, finalPath);
  }
  return fs.createWriteStream(tmpPath, { fd, highWaterMark: 1 << 20 });
}

/**
 * [transform ->] encoder -> file as one pipeline; resolves when the file is closed, rejects with the
 * first failure (named after FINAL) of any part, which destroys the whole chain.
 */
function chainFinished(finalPath: string, file: fs.WriteStream, enc: Writable & NodeJS.ReadableStream, transform: Transform | undefined): Promise<void> {
  let failed: DosageflowError | null = null;
  // Before pipeline's own listeners: the error every waiting writer receives then names the file.
  const name = (e: NodeJS.ErrnoException) => {
    if (e && typeof e === 'object' && !e.path) e.path = finalPath;
  };
  file.on('error', name);
  enc.on('error', name);
  transform?.on('error', name);
  const finished = new Promise<void>((resolve, reject) => {
    const done = (e: NodeJS.ErrnoException | null) => {
      if (e) failed = failed ?? fileError(e, finalPath);
      if (failed) reject(failed);
      else resolve();
    };
    if (transform) pipeline(transform, enc, file, done);
    else pipeline(enc, file, done);
  });
  finished.catch(() => {});
  return finished;
}

/**
 * Open FINAL for writing through a temporary; `transform` (a RowConverter) rewrites what is written
 * before it is compressed. Any failure of the encoder or of the file (ENOSPC,
 * EIO) destroys the whole chain, so a writer waiting for 'drain' is rejected instead of waiting
 * forever (a full disk under --compress gz used to end the run silently with exit 0).
 */
export function createOutput(finalPath: string, compression: OutCompression, transform?: Transform): OutputFile {
  const plan = planOutput(finalPath);
  const tmpPath = plan.direct ? finalPath : tempNameFor(plan.target);
  const file = openOutputFile(plan, finalPath, tmpPath);
  // gz is BGZF; a table with chromosome and position columns also gets a tabix index (src/io/tabix.ts).
  const tbi = compression === 'gz' && !plan.direct ? new TbiSidecar(new TabixIndexer(), tempNameFor, registerTemp, unregisterTemp) : null;
  const enc = tbi ? new BgzfWriter(tbi.indexer) : createEncoder(compression);
  const head: Writable = transform ?? enc;
  const finished = chainFinished(finalPath, file, enc, transform);
  let finishing: Promise<void> | null = null;
  const finish = () => {
    if (!finishing) {
      finishing = (async () => {
        if (!head.destroyed) head.end();
        await finished;
        try {
          await tbi?.write(plan.target);
        } catch (e) {
          throw fileError(e, finalPath + '.tbi');
        }
      })();
    }
    return finishing;
  };
  const removeTemp = () => {
    if (plan.direct) return;
    try {
      fs.rmSync(tmpPath, { force: true });
    } catch {
      /* ignore */
    }
    unregisterTemp(tmpPath);
  };
  return {
    finalPath,
    tmpPath,
    stream: head,
    finish,
    async commit() {
      await finish();
      await this.rename();
    },
    async rename() {
      if (plan.direct) return;
      try {
        await fs.promises.rename(tmpPath, plan.target);
      } catch (e) {
        throw fileError(e, finalPath);
      }
      unregisterTemp(tmpPath);
      try {
        await tbi?.rename(plan.target);
      } catch (e) {
        throw fileError(e, finalPath + '.tbi');
      }
    },
    abort() {
      transform?.destroy();
      enc.destroy();
      file.destroy();
      removeTemp();
      tbi?.remove();
    },
  };
}

/**
 * A run's outputs all or none: every one is finished (encoder flushed, file closed) before any is
 * renamed to its final name; on a failure all are removed.
 */
export async function commitAll(outputs: OutputFile[]): Promise<void> {
  try {
    await Promise.all(outputs.map((o) => o.finish()));
  } catch (e) {
    for (const o of outputs) o.abort();
    throw e;
  }
  for (const o of outputs) await o.rename();
}

/** Write and respect backpressure; rejects when the stream fails or is closed while waiting. */
export function writeAsync(w: Writable, data: Uint8Array | string): Promise<void> | null {
  if (w.errored) return Promise.reject(w.errored);
  if (w.destroyed || w.writableEnded) return Promise.reject(new Error('write after the output was closed'));
  if (w.write(data)) return null;
  return new Promise((resolve, reject) => {
    const done = () => {
      w.off('drain', onDrain);
      w.off('error', onErr);
      w.off('close', onClose);
    };
    const onDrain = () => {
      done();
      resolve();
    };
    const onErr = (e: Error) => {
      done();
      reject(e);
    };
    const onClose = () => {
      done();
      reject(w.errored ?? new Error('the output was closed while writing'));
    };
    w.once('drain', onDrain);
    w.once('error', onErr);
    w.once('close', onClose);
  });
}

/** Copy a file's bytes to a stream, with backpressure (the sorters' run 0 to stdout or a FIFO). */
export async function copyFileTo(file: string, w: Writable): Promise<void> {
  const rs = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const b of rs) {
    const p = writeAsync(w, b as Buffer);
    if (p) await p;
  }
}
