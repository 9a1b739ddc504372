// Text whose bytes must survive decoding: sample IDs and the tables that hold them (issue 15.6).
// Valid UTF-8 decodes as usual; each byte of an invalid sequence becomes the lone surrogate
// U+DC80..U+DCFF (Python's "surrogateescape"), so different bytes stay different strings (`ID\xe9`
// never equals `ID\xe8`; both used to become `ID\ufffd`) and encodeBytes gives the bytes back.

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes as a string: UTF-8, with each byte of an invalid sequence kept as U+DC00 + byte. */
export function decodeBytes(b: Uint8Array): string {
  try {
    return strict.decode(b);
  } catch {
    return escapeDecode(b);
  }
}

function escapeDecode(b: Uint8Array): string {
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  while (i < b.length) {
    const n = utf8SequenceLength(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (i > start) parts.push(strict.decode(b.subarray(start, i)));
    parts.push(String.fromCharCode(0xdc00 + b[i]));
    start = ++i;
  }
  if (start < b.length) parts.push(strict.decode(b.subarray(start)));
  return parts.join('');
}

const cont = (x: number | undefined, lo = 0x80, hi = 0xbf) => x !== undefined && x >= lo && x <= hi;

/** Length of the valid UTF-8 sequence at b[i] (RFC 3629: no overlongs, no surrogates), 0 if none. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(b[i + 1]) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) return cont(b[i + 1], c === 0xe0 ? 0xa0 : 0x80, c === 0xed ? 0x9f : 0xbf) && cont(b[i + 2]) ? 3 : 0;
  if (c >= 0xf0 && c <= 0xf4) return cont(b[i + 1], c === 0xf0 ? 0x90 : 0x80, c === 0xf4 ? 0x8f : 0xbf) && cont(b[i + 2]) && cont(b[i + 3]) ? 4 : 0;
  return 0;
}

// An escaped byte: a U+DC80..U+DCFF not preceded by a high surrogate (then it is half of a pair).
const ESCAPED = /(?<![\ud800-\udbff])[\udc80-\udcff]/;
const ESCAPED_ALL = /(?<![\ud800-\udbff])[\udc80-\udcff]/g;

/** The bytes decodeBytes read (UTF-8 for ordinary strings). */
export function encodeBytes(s: string): Buffer {
  if (!ESCAPED.test(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of s.matchAll(ESCAPED_ALL)) {
    parts.push(Buffer.from(s.slice(last, m.index), 'utf8'), Buffer.of(s.charCodeAt(m.index!) - 0xdc00));
    last = m.index! + 1;
  }
  parts.push(Buffer.from(s.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

/** For messages: escaped bytes shown as `\xHH` (a terminal cannot show them). */
export function showBytes(s: string): string {
  return ESCAPED.test(s) ? s.replace(ESCAPED_ALL, (c) => `\\x${(c.charCodeAt(0) - 0xdc00).toString(16)}`) : s;
}
