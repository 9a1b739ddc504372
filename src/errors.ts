// The project's error classes and the one place that turns any error into the CLI's one-line message.
// Messages are short and lowercase; where an error concerns input it carries the file and the line
// (text formats) or byte offset (binary formats and compressed streams).

export interface Where {
  file?: string;
  line?: number;
  byteOffset?: number;
}

/** Base class: every error the user can cause. */
export class DosageflowError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly byteOffset?: number;
  constructor(message: string, where: Where = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.file = where.file;
    this.line = where.line;
    this.byteOffset = where.byteOffset;
  }
}

/** Bad options on the command line (exit code 2). */
export class UsageError extends DosageflowError {}

/** Input that is malformed, truncated or inconsistent (exit code 3). */
export class InputError extends DosageflowError {}

/** A file that cannot be opened, read or written (exit code 4). */
export class FileError extends DosageflowError {}

/** What a decoder found wrong (DecodeError.code); the same codes for every format. */
export type DecodeErrorCode =
  | 'field-count' // a text line with too few or too many fields
  | 'position' // a position that is no whole number
  | 'chromosome' // a chromosome column that does not fit the file's layout or --chr
  | 'probability' // a probability that is no number, negative or above 1
  | 'record' // a binary record (BGEN variant) that is malformed or truncated
  | 'block'; // a binary genotype block that is malformed, truncated or does not inflate

/**
 * The one error shape of the format decoders (.gen, BGEN, VCF): a code, the 1-based field where
 * known, and the line (text) or byte offset (binary). A decoder throws it with what it knows; the
 * worker sends code, field, message and position across the thread boundary (decodeErrorFields)
 * and the main thread rebuilds the same class with the file and the absolute line or offset.
 */
export class DecodeError extends InputError {
  readonly code: DecodeErrorCode;
  readonly field?: number;
  constructor(code: DecodeErrorCode, field: number | undefined, message: string, where: Where = {}, options?: { cause?: unknown }) {
    super(message, where, options);
    // Named by its category (exit 3, input), as the decoders' errors were before the class existed.
    this.name = 'InputError';
    this.code = code;
    this.field = field;
  }

  /** The same error located in `where` (file and absolute line or offset). */
  at(where: Where): DecodeError {
    return new DecodeError(this.code, this.field, this.message, { file: where.file ?? this.file, line: where.line ?? this.line, byteOffset: where.byteOffset ?? this.byteOffset });
  }
}

/** What crosses the thread boundary for a DecodeError (structured clone keeps no class). */
export interface DecodeErrorFields {
  code: DecodeErrorCode;
  field?: number;
  message: string;
}

export function decodeErrorFields(e: DecodeError): DecodeErrorFields {
  return { code: e.code, field: e.field, message: e.message };
}

export const EXIT = {
  ok: 0,
  usage: 2,
  input: 3,
  file: 4,
  internal: 70,
  interrupted: 130,
} as const;

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof InputError) return EXIT.input;
  if (err instanceof FileError) return EXIT.file;
  if (isSystemError(err) || isWasmMemoryLimit(err)) return EXIT.file;
  return EXIT.internal;
}

/**
 * A kernel's WebAssembly memory reached its 4 GiB ceiling (a worker's RangeError keeps its class
 * across the thread boundary): e.g. thousands of phenotype missingness patterns at biobank sizes.
 */
function isWasmMemoryLimit(err: unknown): boolean {
  return err instanceof RangeError && /^WebAssembly\.Memory\.grow\(\)/.test(err.message);
}

interface SystemError extends Error {
  code: string;
  path?: string;
  syscall?: string;
}

export function isSystemError(err: unknown): err is SystemError {
  return err instanceof Error && typeof (err as SystemError).code === 'string' && /^E[A-Z]+$/.test((err as SystemError).code);
}

const SYSTEM_MESSAGES: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  ENOSPC: 'no space left on device',
  EMFILE: 'too many open files (raise `ulimit -n`)',
  ENOTDIR: 'a path component is not a directory',
  // BGEN, an LD reference and an indexed --region are read by offset; text formats stream from pipes.
  ESPIPE: 'cannot seek in a pipe: this input is read by position (BGEN, an LD reference, a --region with an index): give a regular file',
  EROFS: 'read-only file system',
  EFBIG: "file too large (the file system's limit or ulimit -f)",
  EBUSY: 'busy (a mount point or a file in use)',
  EPERM: 'operation not permitted',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error (a failing disk or network file system)',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  ENXIO: 'no such device (a FIFO with no reader, or a device that is gone)',
  ETXTBSY: 'file busy (a running program)',
};

/** Plain words for a system error: ours, else Node's text without its code and syscall. */
function systemMessage(err: SystemError): string {
  return SYSTEM_MESSAGES[err.code] ?? err.message.replace(/^E[A-Z]+: /, '').replace(/, \w+(?: '.*')?$/, '');
}

/** Wrap a Node system error (ENOENT, EISDIR, ...) as a FileError naming the file. */
export function fileError(err: unknown, file: string): DosageflowError {
  if (err instanceof DosageflowError) return err;
  if (isSystemError(err)) {
    return new FileError(systemMessage(err), { file }, { cause: err });
  }
  return new FileError(String((err as Error)?.message ?? err), { file }, { cause: err });
}

/** Control characters from input bytes must not break the one line or drive the terminal. */
export function escapeControls(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** The CLI's one-line message: `dosageflow: FILE:LINE: message` or `FILE: byte N: message`. */
export function formatError(err: unknown): string {
  return escapeControls(formatErrorRaw(err));
}

function formatErrorRaw(err: unknown): string {
  if (err instanceof DosageflowError) {
    let where = '';
    if (err.file !== undefined) {
      where = err.file;
      if (err.line !== undefined) where += `:${err.line}`;
      else if (err.byteOffset !== undefined) where += `: byte ${err.byteOffset}`;
      where += ': ';
    } else if (err.line !== undefined) {
      where = `line ${err.line}: `;
    }
    return `${where}${err.message}`;
  }
  if (isSystemError(err)) {
    const msg = systemMessage(err);
    return err.path ? `${err.path}: ${msg}` : msg;
  }
  if (isWasmMemoryLimit(err)) {
    return 'a WebAssembly kernel reached its 4 GiB memory limit (too many phenotype missingness patterns for one pass): run the phenotypes in several passes, or set DOSAGEFLOW_NO_WASM=1 for the JavaScript kernels (same results, slower)';
  }
  const e = err as Error;
  return `internal error: ${e?.message ?? String(err)} (run with --debug for details)`;
}
