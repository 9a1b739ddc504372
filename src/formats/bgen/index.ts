// BGEN format: header, variant records and genotype blocks (decoder objects over bytes), and the
// bgenix .bgi index (a SQLite file) for region queries.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

// better-sqlite3 (a native module, ~7 ms to load) only when a .bgi index is read: most runs have none.
const loaded: { sqlite?: typeof BetterSqlite3 } = {};
/** The better-sqlite3 constructor, loaded on first use. */
export function openBgiDatabase(path: string): BetterSqlite3.Database {
  loaded.sqlite ??= createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  return new loaded.sqlite(path, { readonly: true, fileMustExist: true });
}
import { FileError, InputError, fileError } from '../../errors.js';

export { parseBgenHeader, bgenHeaderBytesNeeded, BGEN_MIN_HEADER_BYTES } from './header.js';
export type { BgenHeader, BgenCompression, ParseHeaderOptions } from './header.js';
export { BgenRecordParser, parseVariantHeader, newVariantHeader, variantRecordLength, scanVariants } from './variant.js';
export type { VariantHeader } from './variant.js';
export { BgenBlockDecoder, decodeGenotypeBlock, decompressBlock, decodeProbabilityData } from './probs.js';
export type { BlockInfo, DecodeOptions, BgenBlockDecoderOptions } from './probs.js';

export interface BgiEntry {
  /** Absolute file offset of the variant record. */
  fileStart: number;
  /** Bytes of the whole record (identifying data + genotype block). */
  size: number;
}

export interface BgiRegion {
  /** Chromosome exactly as stored in the index (bgenix copies it from the .bgen, e.g. "01"). */
  chr: string;
  /** Inclusive position bounds; either may be omitted. */
  start?: number;
  end?: number;
}

/**
 * Records of a bgenix index that fall in `region` (all records when omitted), sorted by file offset.
 * Throws FileError when the index cannot be opened and InputError when it is not a bgenix index.
 */
export function readBgi(path: string, region?: BgiRegion): BgiEntry[] {
  let sql = 'SELECT file_start_position AS fileStart, size_in_bytes AS size FROM Variant';
  const params: (string | number)[] = [];
  if (region) {
    sql += ' WHERE chromosome = ?';
    params.push(region.chr);
    if (region.start !== undefined) {
      sql += ' AND position >= ?';
      params.push(region.start);
    }
    if (region.end !== undefined) {
      sql += ' AND position <= ?';
      params.push(region.end);
    }
  }
  sql += ' ORDER BY file_start_position';
  return queryBgi(path, sql, params);
}

/** Every record of a bgenix index, sorted by file offset. */
export function listBgiOffsets(path: string): BgiEntry[] {
  return readBgi(path);
}

function queryBgi(path: string, sql: string, params: (string | number)[]): BgiEntry[] {
  try {
    if (fs.statSync(path).isDirectory()) throw new FileError('is a directory, not a file', { file: path });
  } catch (err) {
    throw fileError(err, path);
  }
  let db: BetterSqlite3.Database;
  try {
    db = openBgiDatabase(path);
  } catch (err) {
    throw openError(err, path);
  }
  try {
    let rows: BgiEntry[];
    try {
      rows = db.prepare(sql).all(...params) as BgiEntry[];
    } catch (err) {
      const msg = String((err as Error)?.message ?? err);
      if (/not a database|no such table|no such column|malformed|file is not/i.test(msg)) {
        throw new InputError(`not a bgenix index (${msg.toLowerCase()})`, { file: path }, { cause: err });
      }
      throw fileError(err, path);
    }
    for (const r of rows) {
      // SQLite INTEGERs come back as JS numbers; offsets of real files stay far below 2^53.
      // A record above 2 GiB cannot be one (and fs.read takes an int32 length: issue 15.14).
      if (!Number.isSafeInteger(r.fileStart) || !Number.isSafeInteger(r.size) || r.fileStart < 0 || r.size <= 0 || r.size >= 2 ** 31) {
        throw new InputError(`bgenix index has an invalid record (offset ${r.fileStart}, size ${r.size})`, { file: path });
      }
    }
    return rows;
  } finally {
    db.close();
  }
}

function openError(err: unknown, path: string): Error {
  const msg = String((err as Error)?.message ?? err);
  if (/not a database|file is not/i.test(msg)) return new InputError('not a bgenix index (not a sqlite database)', { file: path }, { cause: err });
  if (/unable to open|does not exist|no such file/i.test(msg)) return new FileError('cannot open index file', { file: path }, { cause: err });
  return fileError(err, path);
}
