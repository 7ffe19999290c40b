// Reads the records of a JSON response straight from its bytes. One validating pass finds the records
// array, copies each record's bytes into JSON lines, profiles its fields and reads its cursor field,
// without building the records as objects. That is the work of JSON.parse on the page, JSON.stringify
// on each record and the profile walk, at about a quarter of their cost (bench/README.md). It also keeps
// each record as the API sent it (only line breaks between values become spaces): a 20-digit id is not
// rounded to a double on its way to bronze. The same reader reads landing files back for a replay
// (scanJsonLines), so a replay counts, profiles and finds the cursor as the first load did.
//
// A body that is all UTF-8 and nests no deeper than MAX_DEPTH is read in that one pass. Any other body
// is read again record by record (only such a body pays for it): a record that is not UTF-8, or nests
// too deep, is kept in the lines with its exact bytes but marked rejected, and is neither profiled nor
// read for its cursor; the other records of the page load as usual. A body with no records array at its
// path returns undefined, and the caller reads it with JSON.parse.
import { isUtf8 } from 'node:buffer';
import { ARRAY, BOOLEAN, FieldProfile, newNode, NULL, NUMBER, OBJECT, STRING, type FieldNode } from './profile.js';
import { maxCursor } from './cursor.js';
import type { JsonLinesPage, RejectedRecord, RejectReason } from './page.js';

export type { RejectedRecord, RejectReason } from './page.js';

/**
 * How many arrays and objects a value may nest inside each other: a record, or a value of the body
 * around the records. 1,000 is the cap Jackson (StreamReadConstraints) and the Parquet and Iceberg
 * variant readers settled on, so a record that passes here passes there; real data nests a few levels
 * (GeoJSON 4). The recursive reads of a record here, in its profile (drift.ts) and in JSON.stringify
 * overflow Node's default stack only from about 2,900 levels, so this leaves them a wide margin.
 */
export const MAX_DEPTH = 1000;

/** A value around the records nests deeper than MAX_DEPTH: the page cannot be read safely. */
export class JsonDepthError extends Error {
  constructor(readonly offset: number) {
    super(`the body nests deeper than ${MAX_DEPTH} levels outside its records, at byte ${offset}`);
  }
}

/** The body is not JSON; `offset` is the byte where reading it failed. */
export class JsonScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
  }
}

export interface ScannedPage extends JsonLinesPage {
  /** The body with its records array left empty: what paginators read. Integers past 2^53 are kept as their digits (parseExact). */
  body: unknown;
  /** The last record, parsed as `body` is (for cursor_from_last_record); undefined when the page has none. */
  lastRecord: unknown;
}

/** A profile node that remembers the raw bytes of its object's keys in the order last seen. */
interface ScanNode extends FieldNode {
  fields: Map<string, ScanNode>;
  items?: ScanNode;
  /** The children of the last object seen here, by key position, with the key's raw bytes. */
  order?: Array<{ raw: Buffer; child: ScanNode }>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL_LITERAL = Buffer.from('null');
/** Bytes allowed after a backslash, besides u. */
const SIMPLE_ESCAPES = new Set([QUOTE, BACKSLASH, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

/**
 * Scans a response body for the records at `recordsPath` ("" for the body itself, else a dot path).
 * Throws JsonScanError when the body is not valid JSON, and JsonDepthError when it nests too deep
 * around its records; returns undefined when it has no array of records at that path.
 */
export function scanPage(bytes: Buffer, recordsPath: string, cursorField?: string): ScannedPage | undefined {
  const path = recordsPath === '' ? [] : recordsPath.split('.');
  // UTF-8 is checked once for the whole body (natively), so the string loop need not decode.
  if (isUtf8(bytes)) {
    try {
      return new Scanner(bytes, cursorField, false).scan(path);
    } catch (e) {
      if (!(e instanceof JsonDepthError || e instanceof RangeError)) throw e;
    }
  }
  return new Scanner(bytes, cursorField, true).scan(path);
}

/** What a run of JSON lines holds, read as scanPage reads a page's records. */
export type ScannedLines = Omit<JsonLinesPage, 'lines'>;

/**
 * Reads whole JSON lines (a landing file or a dropped file, or part of one): their count, profile,
 * newest cursor and longest record, with the same rules as the records of a page (a line that is not
 * UTF-8 or nests too deep is rejected). Throws JsonScanError at the first byte that is not JSON.
 */
export function scanJsonLines(bytes: Buffer, cursorField?: string): ScannedLines {
  return scanLines(bytes, cursorField, false);
}

/** scanJsonLines, plus the records as clean JSON lines (blank lines, carriage returns and indentation dropped). */
export function copyJsonLines(bytes: Buffer, cursorField?: string): JsonLinesPage {
  return scanLines(bytes, cursorField, true) as JsonLinesPage;
}

function scanLines(bytes: Buffer, cursorField: string | undefined, copyLines: boolean): ScannedLines & { lines?: Buffer } {
  if (isUtf8(bytes)) {
    try {
      return new Scanner(bytes, cursorField, false).lines(copyLines);
    } catch (e) {
      if (!(e instanceof JsonDepthError || e instanceof RangeError)) throw e;
    }
  }
  return new Scanner(bytes, cursorField, true).lines(copyLines);
}

/** How many line breaks `bytes` holds: a line number, for an error in JSON lines. */
export function countLineBreaks(bytes: Buffer): number {
  let n = 0;
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) n++;
  return n;
}

/** 1 for the bytes a string's loop stops at: the quote, the backslash, control characters. UTF-8 is checked apart. */
const STRING_STOP = new Uint8Array(256);
for (const c of [QUOTE, BACKSLASH]) STRING_STOP[c] = 1;
for (let c = 0; c < SPACE; c++) STRING_STOP[c] = 1;

/**
 * Every reading method takes the position it starts at and returns the position after what it read:
 * a local position stays in a register, where a field would be stored and reloaded around each call.
 */
class Scanner {
  private root = newNode() as ScanNode;
  /** The profile node of the records' cursor field, once a record has had it. */
  private cursorNode?: ScanNode;
  /** Where the greatest plain-text cursor value so far sits in the body (start < 0: none yet); every other cursor value goes through maxCursor. */
  private newestTextStart = -1;
  private newestTextEnd = -1;
  private newestOther?: string;
  /** Set when whitespace inside the current record held a line break, which a JSON line cannot. */
  private sawLineBreak = false;
  /** Set while reading a record of JSON lines, where a line break ends the record. */
  private inLine = false;
  /** Whether the string read last had escapes. */
  private escaped = false;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly breaks: boolean[] = [];
  private longestRecord = 0;
  /** The records rejected so far, by their index among the records. */
  private rejected: Array<{ index: number; reason: RejectReason }> = [];
  private array?: { start: number; end: number };
  /** How many arrays and objects enclose the byte being read, within the record or value being read. */
  private depth = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly cursorField: string | undefined,
    /** Read each record on its own first, to reject one that is not UTF-8 or nests too deep. */
    private readonly carefully: boolean,
  ) {}

  scan(path: string[]): ScannedPage | undefined {
    const buf = this.buf;
    // A UTF-8 byte order mark, which fetch's text() would have dropped too.
    const bodyStart = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    let i = this.space(bodyStart);
    i = this.space(this.envelope(i, path.map((part) => Buffer.from(part)), 0));
    if (i !== buf.length) this.fail('unexpected data after the JSON value', i);
    const array = this.array;
    if (!array) return undefined;

    const lines = this.jsonLines();
    const { starts, ends } = this;
    const count = starts.length;
    const envelope = path.length === 0 ? '[]' : buf.toString('utf8', bodyStart, array.start + 1) + buf.toString('utf8', array.end - 1);
    return {
      body: parseExact(envelope),
      lines,
      count,
      longestRecord: this.longestRecord,
      lastRecord: count ? parseExact(buf.toString('utf8', starts[count - 1], ends[count - 1])) : undefined,
      profile: new FieldProfile(this.root),
      newestCursor: this.newestCursor(),
      ...this.rejections(),
    };
  }

  /** The rejected records, with their bytes as a JSON line holds them; nothing when there are none. */
  private rejections(): { rejected?: RejectedRecord[] } {
    if (this.rejected.length === 0) return {};
    const rejected = this.rejected.map(({ index, reason }) => {
      const bytes = Buffer.from(this.buf.subarray(this.starts[index], this.ends[index]));
      for (let j = 0; j < bytes.length; j++) if (bytes[j] === NEWLINE || bytes[j] === RETURN) bytes[j] = SPACE;
      return { index, reason, bytes };
    });
    return { rejected };
  }

  /** The records' bytes as JSON lines, one record per line. */
  private jsonLines(): Buffer {
    const { buf, starts, ends, breaks } = this;
    let size = starts.length;
    for (let r = 0; r < starts.length; r++) size += ends[r] - starts[r];
    const lines = Buffer.allocUnsafe(size);
    let at = 0;
    for (let r = 0; r < starts.length; ) {
      // Records one separator byte apart (compact JSON: a comma; JSON lines: the line break) are copied
      // in one run, and each separator becomes the line break.
      let last = r;
      while (last + 1 < starts.length && starts[last + 1] === ends[last] + 1) last++;
      const from = at;
      at += buf.copy(lines, at, starts[r], ends[last]);
      for (let k = r; k < last; k++) lines[from + ends[k] - starts[r]] = NEWLINE;
      // Outside strings (which cannot hold raw line breaks) a line break is whitespace: a space keeps the value.
      for (let k = r; k <= last; k++) {
        if (!breaks[k]) continue;
        for (let j = from + starts[k] - starts[r]; j < from + ends[k] - starts[r]; j++) if (lines[j] === NEWLINE || lines[j] === RETURN) lines[j] = SPACE;
      }
      lines[at++] = NEWLINE;
      r = last + 1;
    }
    return lines;
  }

  /**
   * JSON lines: records separated by line breaks, each profiled from the root. With `copyLines`, the
   * records again as clean JSON lines (no blank lines, no carriage returns, no indentation).
   */
  lines(copyLines: boolean): ScannedLines & { lines?: Buffer } {
    const buf = this.buf;
    let i = this.space(0);
    while (i < buf.length) {
      const start = i;
      this.inLine = true;
      i = this.record(i);
      this.inLine = false;
      if (i - start > this.longestRecord) this.longestRecord = i - start;
      this.starts.push(start);
      this.ends.push(i);
      this.breaks.push(false);
      this.sawLineBreak = false;
      i = this.space(i);
      if (i < buf.length && !this.sawLineBreak) this.fail('expected a line break after the record', i);
    }
    return {
      lines: copyLines ? this.jsonLines() : undefined,
      count: this.starts.length,
      longestRecord: this.longestRecord,
      profile: new FieldProfile(this.root),
      newestCursor: this.newestCursor(),
      ...this.rejections(),
    };
  }

  /** A value outside the records: walks down `path`, and reads the records where it ends. */
  private envelope(i: number, path: Buffer[], depth: number): number {
    const buf = this.buf;
    if (depth === path.length) return buf[i] === OPEN_BRACKET ? this.records(i) : this.value(i, undefined);
    if (buf[i] === OPEN_BRACKET && isIndex(path[depth])) return this.element(i, path, depth);
    if (buf[i] !== OPEN_BRACE) return this.value(i, undefined);
    i = this.space(i + 1);
    if (buf[i] === CLOSE_BRACE) return i + 1;
    for (;;) {
      if (buf[i] !== QUOTE) this.fail('expected a key', i);
      const keyStart = i + 1;
      i = this.string(i);
      const matches = this.sameBytes(keyStart, i - 1, path[depth]);
      i = this.space(this.colon(this.space(i)));
      if (matches) {
        // JSON.parse keeps the last of two equal keys: so does the scanner.
        if (this.array) this.forgetRecords();
        i = this.envelope(i, path, depth + 1);
      } else i = this.value(i, undefined);
      i = this.space(i);
      if (buf[i] === CLOSE_BRACE) return i + 1;
      i = this.space(this.comma(i, CLOSE_BRACE));
    }
  }

  /** An array on the path at an index ("data.0.items"): walks down its element at that index. */
  private element(i: number, path: Buffer[], depth: number): number {
    const buf = this.buf;
    const index = Number(path[depth].toString());
    i = this.space(i + 1);
    if (buf[i] === CLOSE_BRACKET) return i + 1;
    for (let k = 0; ; k++) {
      i = this.space(k === index ? this.envelope(i, path, depth + 1) : this.value(i, undefined));
      if (buf[i] === CLOSE_BRACKET) return i + 1;
      i = this.space(this.comma(i, CLOSE_BRACKET));
    }
  }

  /** Drops the records found so far (and what was learnt from them), for a later records array at the same path. */
  private forgetRecords(): void {
    this.array = undefined;
    this.root = newNode() as ScanNode;
    this.cursorNode = undefined;
    this.newestTextStart = this.newestTextEnd = -1;
    this.newestOther = undefined;
    this.starts.length = this.ends.length = this.breaks.length = 0;
    this.longestRecord = 0;
    this.rejected = [];
  }

  /** The records array: each element is one record, profiled from the root. */
  private records(i: number): number {
    const buf = this.buf;
    const start = i;
    i = this.space(i + 1);
    if (buf[i] !== CLOSE_BRACKET) {
      for (;;) {
        const recordStart = i;
        this.sawLineBreak = false;
        i = this.record(i);
        if (i - recordStart > this.longestRecord) this.longestRecord = i - recordStart;
        this.starts.push(recordStart);
        this.ends.push(i);
        this.breaks.push(this.sawLineBreak);
        i = this.space(i);
        if (buf[i] === CLOSE_BRACKET) break;
        i = this.space(this.comma(i, CLOSE_BRACKET));
      }
    }
    this.array = { start, end: i + 1 };
    return i + 1;
  }

  /**
   * One record, profiled from the root. Read carefully, it is first read without recursion, to learn
   * its end and depth and whether it is UTF-8; a record that fails either is rejected, not profiled.
   */
  private record(start: number): number {
    if (!this.carefully) return this.value(start, this.root);
    const { end, depth } = this.skip(start);
    const reason = !isUtf8(this.buf.subarray(start, end)) ? 'invalid_utf8' : depth > MAX_DEPTH ? 'too_deep' : undefined;
    if (reason === undefined) return this.value(start, this.root);
    this.rejected.push({ index: this.starts.length, reason });
    return end;
  }

  /**
   * Reads a value of any depth with a stack of its open arrays and objects instead of recursion: the
   * position after it, and how deeply it nests. Bytes past 0x7f are not checked here.
   */
  private skip(i: number): { end: number; depth: number } {
    const buf = this.buf;
    /** The closing byte of each open array or object. */
    const open: number[] = [];
    let deepest = 0;
    for (;;) {
      // At a value.
      const c = buf[i];
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
        if (open.length + 1 > deepest) deepest = open.length + 1;
        i = this.space(i + 1);
        if (buf[i] !== close) {
          open.push(close);
          if (close === CLOSE_BRACE) i = this.memberKey(i);
          continue;
        }
        i++;
      } else i = this.value(i, undefined);
      // After a value: close what ends here, then on to the next value.
      for (;;) {
        if (open.length === 0) return { end: i, depth: deepest };
        i = this.space(i);
        const close = open[open.length - 1];
        if (buf[i] !== close) break;
        open.pop();
        i++;
      }
      const close = open[open.length - 1];
      i = this.space(this.comma(i, close));
      if (close === CLOSE_BRACE) i = this.memberKey(i);
    }
  }

  /** A member's key and colon: the position of its value. */
  private memberKey(i: number): number {
    if (this.buf[i] !== QUOTE) this.fail('expected a key', i);
    return this.space(this.colon(this.space(this.string(i))));
  }

  /** Reads one value and, given a profile node, counts it there. */
  private value(i: number, node: ScanNode | undefined): number {
    const buf = this.buf;
    const c = buf[i];
    let type: number;
    if (c === QUOTE) {
      i = this.string(i);
      type = STRING;
    } else if (c === OPEN_BRACE) {
      i = this.object(i, node);
      type = OBJECT;
    } else if (c === OPEN_BRACKET) {
      i = this.items(i, node);
      type = ARRAY;
    } else if (c === 0x74) {
      i = this.literal(i, TRUE);
      type = BOOLEAN;
    } else if (c === 0x66) {
      i = this.literal(i, FALSE);
      type = BOOLEAN;
    } else if (c === 0x6e) {
      i = this.literal(i, NULL_LITERAL);
      type = NULL;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      i = this.number(i);
      type = NUMBER;
    } else {
      return this.fail(c === undefined ? 'unexpected end of the body' : 'expected a JSON value', i);
    }
    if (node) {
      node.n++;
      node.types |= type;
    }
    return i;
  }

  private items(i: number, node: ScanNode | undefined): number {
    const buf = this.buf;
    if (++this.depth > MAX_DEPTH) throw new JsonDepthError(i);
    i = this.space(i + 1);
    if (buf[i] === CLOSE_BRACKET) {
      this.depth--;
      return i + 1;
    }
    const items = node ? (node.items ??= newNode() as ScanNode) : undefined;
    for (;;) {
      i = this.space(this.value(i, items));
      if (buf[i] === CLOSE_BRACKET) {
        this.depth--;
        return i + 1;
      }
      i = this.space(this.comma(i, CLOSE_BRACKET));
    }
  }

  private object(i: number, node: ScanNode | undefined): number {
    const buf = this.buf;
    if (++this.depth > MAX_DEPTH) throw new JsonDepthError(i);
    i = this.space(i + 1);
    if (buf[i] === CLOSE_BRACE) {
      this.depth--;
      return i + 1;
    }
    for (let k = 0; ; k++) {
      if (buf[i] !== QUOTE) this.fail('expected a key', i);
      let child: ScanNode | undefined;
      // The key as last seen at this position, quotes included: the same bytes are the same key.
      const last = node?.order?.[k];
      if (last && this.sameBytes(i, i + last.raw.length, last.raw)) {
        i += last.raw.length;
        child = last.child;
      } else {
        const keyStart = i;
        i = this.string(i);
        if (node) child = this.child(node, k, keyStart, i, this.escaped);
      }
      const valueStart = (i = this.space(this.colon(this.space(i))));
      i = this.value(i, child);
      if (child !== undefined && child === this.cursorNode && node === this.root) this.cursor(valueStart, i);
      i = this.space(i);
      if (buf[i] === CLOSE_BRACE) {
        this.depth--;
        return i + 1;
      }
      i = this.space(this.comma(i, CLOSE_BRACE));
    }
  }

  /** The profile node for a key not last seen at position k of an object at `node`; only such a key is decoded. */
  private child(node: ScanNode, k: number, quoteStart: number, quoteEnd: number, escaped: boolean): ScanNode {
    const raw = Buffer.from(this.buf.subarray(quoteStart, quoteEnd));
    const key = escaped ? (JSON.parse(raw.toString('utf8')) as string) : raw.toString('utf8', 1, raw.length - 1);
    let child = node.fields.get(key);
    if (!child) {
      node.fields.set(key, (child = newNode() as ScanNode));
      if (node === this.root && key === this.cursorField) this.cursorNode = child;
    }
    (node.order ??= [])[k] = { raw, child };
    return child;
  }

  /**
   * Keeps the greatest cursor value, as maxCursor would (numbers by value, other text as text). Plain
   * text values, the common case (timestamps), are compared as bytes without becoming strings: for
   * text without escapes, UTF-8 byte order is code point order.
   */
  private cursor(start: number, end: number): void {
    const buf = this.buf;
    const c = buf[start];
    if (c === 0x6e) return; // null
    // The value was just read, so `escaped` is its own: no second pass over its bytes.
    if (c === QUOTE && !this.escaped && !mayBeNumber(buf, start + 1, end - 1)) {
      // Offsets, not a copy: in a page sorted by the cursor, every record holds a new greatest value.
      if (this.newestTextStart < 0 || compareBytes(buf, start + 1, end - 1, this.newestTextStart, this.newestTextEnd) > 0) {
        this.newestTextStart = start + 1;
        this.newestTextEnd = end - 1;
      }
      return;
    }
    const text =
      c === QUOTE || c === OPEN_BRACE || c === OPEN_BRACKET ? String(JSON.parse(buf.toString('utf8', start, end))) : buf.toString('latin1', start, end);
    this.newestOther = maxCursor(this.newestOther, text);
  }

  private newestCursor(): string | undefined {
    return maxCursor(this.newestOther, this.newestTextStart < 0 ? undefined : this.buf.toString('utf8', this.newestTextStart, this.newestTextEnd));
  }

  /** Reads a string from its opening quote; sets `escaped`. */
  private string(i: number): number {
    const buf = this.buf;
    let escaped = false;
    i++;
    for (;;) {
      while (STRING_STOP[buf[i]] === 0) i++;
      const c = buf[i];
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        const e = buf[i + 1];
        if (e === 0x75) {
          for (let h = i + 2; h < i + 6; h++) if (!isHex(buf[h])) this.fail('expected four hex digits after \\u', h);
          i += 6;
        } else if (SIMPLE_ESCAPES.has(e)) i += 2;
        else this.fail('invalid escape in a string', i);
        continue;
      }
      if (c === undefined) this.fail('unterminated string', i);
      this.fail('control character in a string', i);
    }
    this.escaped = escaped;
    return i + 1;
  }

  private number(i: number): number {
    const buf = this.buf;
    if (buf[i] === MINUS) i++;
    if (buf[i] === ZERO) i++;
    else if (buf[i] > ZERO && buf[i] <= NINE) while (isDigit(buf[++i]));
    else this.fail('expected a digit', i);
    if (buf[i] === DOT) {
      if (!isDigit(buf[++i])) this.fail('expected a digit after the decimal point', i);
      while (isDigit(buf[++i]));
    }
    if (buf[i] === 0x65 || buf[i] === 0x45) {
      i++;
      if (buf[i] === PLUS || buf[i] === MINUS) i++;
      if (!isDigit(buf[i])) this.fail('expected a digit in the exponent', i);
      while (isDigit(buf[++i]));
    }
    return i;
  }

  private literal(i: number, word: Buffer): number {
    const buf = this.buf;
    for (let j = 0; j < word.length; j++) if (buf[i + j] !== word[j]) this.fail(`expected ${word.toString()}`, i);
    return i + word.length;
  }

  /** At a separator between members or elements (after whitespace), which is not `close`: the position after the comma. */
  private comma(i: number, close: number): number {
    const c = this.buf[i];
    if (c !== COMMA) this.fail(c === undefined ? 'unexpected end of the body' : `expected "," or "${String.fromCharCode(close)}"`, i);
    return i + 1;
  }

  private colon(i: number): number {
    if (this.buf[i] !== COLON) this.fail('expected ":"', i);
    return i + 1;
  }

  /** Skips whitespace; notes a line break, which a record's JSON line cannot keep. */
  private space(i: number): number {
    const buf = this.buf;
    for (;;) {
      const c = buf[i];
      if (c > SPACE) return i;
      if (c === SPACE || c === TAB) i++;
      else if (c === NEWLINE || c === RETURN) {
        if (this.inLine) this.fail('a record continues on the next line', i);
        this.sawLineBreak = true;
        i++;
      } else return i;
    }
  }

  /** True when buf[start, end) holds exactly `bytes`. */
  private sameBytes(start: number, end: number, bytes: Buffer): boolean {
    if (end - start !== bytes.length) return false;
    const buf = this.buf;
    for (let j = 0; j < bytes.length; j++) if (buf[start + j] !== bytes[j]) return false;
    return true;
  }

  private fail(message: string, at: number): never {
    throw new JsonScanError(message, at);
  }
}

/**
 * JSON.parse, except that an integer a double cannot hold exactly (past 2^53) becomes a string of its
 * digits. Paginators send a cursor or a next id back as text: 12345678901234567891 rounded to
 * 12345678901234567000 would ask for the wrong page, and skip or repeat records. For the small texts
 * paginators read (the envelope, the last record), not the records.
 */
export function parseExact(text: string): unknown {
  let exact = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string, escapes included.
      for (i++; i < text.length && text.charCodeAt(i) !== QUOTE; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      let end = i + 1;
      while (end < text.length && /[0-9.eE+-]/.test(text[end])) end++;
      const token = text.slice(i, end);
      if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
        exact += `${text.slice(from, i)}"${token}"`;
        from = end;
      }
      i = end - 1;
    }
  }
  return JSON.parse(from === 0 ? text : exact + text.slice(from)) as unknown;
}

/** Bytes that can appear in text that Number() reads as a number ("12", " -1.5e3 ", "0x1f", "0o17"). */
const NUMBER_TEXT = new Uint8Array(256);
for (const c of '0123456789+-.eExXoOabcdefABCDEF \t\n\r') NUMBER_TEXT[c.charCodeAt(0)] = 1;
for (let c = 0x80; c < 0x100; c++) NUMBER_TEXT[c] = 1; // non-ASCII whitespace, to be safe

/** False when buf[start, end) has a byte no number's text has: then it compares as text. */
function mayBeNumber(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (NUMBER_TEXT[buf[i]] === 0) return false;
  return true;
}

/** Compares buf[a, aEnd) with buf[b, bEnd) byte by byte, as Buffer.compare does, without its per-call checks. */
function compareBytes(buf: Buffer, a: number, aEnd: number, b: number, bEnd: number): number {
  const n = Math.min(aEnd - a, bEnd - b);
  for (let i = 0; i < n; i++) {
    const d = buf[a + i] - buf[b + i];
    if (d !== 0) return d;
  }
  return aEnd - a - (bEnd - b);
}

/** A path part that indexes an array, as getPath reads "data.0.items". */
function isIndex(part: Buffer): boolean {
  if (part.length === 0 || (part.length > 1 && part[0] === ZERO)) return false;
  for (const c of part) if (c < ZERO || c > NINE) return false;
  return true;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= NINE;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}
