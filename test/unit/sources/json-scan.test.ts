// The raw-bytes record scanner against JSON.parse: the same records, profile, cursor and envelope for
// every body it accepts, the same verdict on bodies that are not JSON, and each record's bytes kept.
import { describe, expect, test } from 'vitest';
import { FieldProfile } from '../../../src/ingest/drift.js';
import { maxCursor } from '../../../src/ingest/landing.js';
import { getPath } from '../../../src/sources/json-path.js';
import { JsonScanError, parseExact, scanJsonLines, scanPage, type ScannedPage } from '../../../src/sources/json-scan.js';

function lines(page: ScannedPage): string[] {
  const text = page.lines.toString('utf8');
  expect(text.endsWith('\n') || text === '').toBe(true);
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

/** What the scanner must agree with: JSON.parse, FieldProfile.add and maxCursor over the parsed records. */
function expectSameAsJsonParse(body: string, recordsPath: string, cursorField?: string): ScannedPage {
  const scanned = scanPage(Buffer.from(body), recordsPath, cursorField);
  expect(scanned, 'scanned').toBeDefined();
  const parsed = JSON.parse(body.replace(/^\uFEFF/, '')) as unknown;
  const records = getPath(parsed, recordsPath) as unknown[];
  expect(lines(scanned!).map((line) => JSON.parse(line) as unknown)).toEqual(records);
  expect(scanned!.count).toBe(records.length);
  expect(scanned!.lastRecord).toEqual(records.at(-1));
  const profile = new FieldProfile();
  for (const record of records) profile.add(record);
  const byPath = (rows: ReturnType<FieldProfile['rows']>) => [...rows].sort((a, b) => a.path.localeCompare(b.path));
  expect(byPath(scanned!.profile.rows())).toEqual(byPath(profile.rows()));
  if (cursorField) {
    let newest: string | undefined;
    for (const record of records) {
      const value = (record as Record<string, unknown> | null)?.[cursorField];
      if (value !== undefined && value !== null) newest = maxCursor(newest, String(value));
    }
    expect(scanned!.newestCursor).toBe(newest);
  }
  // The JSON lines, read back as a replay reads a landing file, give the same facts.
  const again = scanJsonLines(scanned!.lines, cursorField);
  expect({ ...again, profile: byPath(again.profile.rows()) }).toEqual({
    count: scanned!.count,
    longestRecord: scanned!.longestRecord,
    profile: byPath(scanned!.profile.rows()),
    newestCursor: scanned!.newestCursor,
  });
  if (recordsPath !== '') {
    // The envelope is the body with its records array left empty.
    const envelope = structuredClone(parsed) as Record<string, unknown>;
    const parts = recordsPath.split('.');
    (getPath(envelope, parts.slice(0, -1).join('.')) as Record<string, unknown>)[parts.at(-1)!] = [];
    expect(scanned!.body).toEqual(envelope);
  }
  return scanned!;
}

describe('scanPage reads what JSON.parse reads', () => {
  test.each<[string, string, string, string?]>([
    ['compact records with a cursor', '{"data":[{"id":1,"ts":"2026-01-02T00:00:00Z"},{"id":2,"ts":"2026-01-01T00:00:00Z"}],"next":"b"}', 'data', 'ts'],
    ['an empty page', '{"data":[],"next":null}', 'data', 'ts'],
    ['the body is the array', '[{"a":1},{"a":"x"},{"b":[1,2,{"c":null}]}]', ''],
    ['a nested path', '{"result":{"meta":{"n":2},"items":[{"k":true},{"k":false}]},"ok":true}', 'result.items', 'k'],
    [
      'pretty-printed, with tabs and CRLF',
      '{\r\n  "data": [\r\n    {\r\n\t"id": 1,\r\n\t"tags": [ "a" , "b" ]\r\n    } ,\n    { "id" : 2 }\n  ]\n}\n',
      'data',
      'id',
    ],
    ['a byte order mark', '\uFEFF{"data":[{"id":1}]}', 'data'],
    ['escapes in keys and values', '{"data":[{"na\\u006De":"a\\"b\\\\c\\/d\\n","é":"ü€😀"},{"name":"x","\\u00e9":"y"}]}', 'data', 'name'],
    ['numbers of every form', '{"data":[{"n":0},{"n":-0.5},{"n":1e3},{"n":2.5E-2},{"n":-12}]}', 'data'],
    ['records that are not objects', '{"data":[1,"two",null,[3],{"x":{}},[],true]}', 'data'],
    ['numeric text cursors compare as numbers', '{"data":[{"c":"9"},{"c":"10"},{"c":null},{"c":"8"}]}', 'data', 'c'],
    ['mixed cursor types', '{"data":[{"c":5},{"c":"2026-01-01"},{"c":true},{"c":{"a":1}}]}', 'data', 'c'],
    ['the records key after other keys', '{"total":3,"links":{"next":"/p?x=1"},"data":[{"id":1},{"id":2},{"id":3}]}', 'data'],
    ['a key that only looks like the path', '{"dat":[1],"data":[{"x":1}],"datas":[2]}', 'data'],
  ])('%s', (_name, body, path, cursor) => {
    expectSameAsJsonParse(body, path, cursor);
  });

  test('keeps every record exactly as sent, one per line', () => {
    const body = '{"data":[{"id":12345678901234567890,"amount":1.10,"big":1e400},\n {"id": 2,\n "x":"a b"}]}';
    const scanned = expectSameAsJsonParse(body, 'data');
    // JSON.parse would round the id and the amount, and turn 1e400 into null when stringified again.
    expect(lines(scanned)).toEqual(['{"id":12345678901234567890,"amount":1.10,"big":1e400}', '{"id": 2,  "x":"a b"}']);
    expect(scanned.longestRecord).toBe('{"id":12345678901234567890,"amount":1.10,"big":1e400}'.length);
  });

  test('a numeric cursor is the number as sent, compared by value', () => {
    // As text, so an id past 2^53 goes back to the API as it came; String(JSON.parse(...)) would round it.
    const scanned = scanPage(Buffer.from('{"data":[{"n":1e3},{"n":12345678901234567891},{"n":5}]}'), 'data', 'n');
    expect(scanned!.newestCursor).toBe('12345678901234567891');
    expect(scanPage(Buffer.from('{"data":[{"n":1e3},{"n":999}]}'), 'data', 'n')!.newestCursor).toBe('1e3');
  });

  test('paginators read integers past 2^53 as their digits, in the body and in the last record', () => {
    const scanned = scanPage(Buffer.from('{"data":[{"id":1},{"id":12345678901234567891}],"next":-9223372036854775809,"total":3}'), 'data')!;
    expect(scanned.body).toEqual({ data: [], next: '-9223372036854775809', total: 3 });
    expect(scanned.lastRecord).toEqual({ id: '12345678901234567891' });
  });

  test('random documents, in random layouts', () => {
    let seed = 42;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    const keys = ['id', 'name', 'ts', 'tags', 'nested', 'é', 'a"b', 'x\\y', 'n'];
    const value = (depth: number): unknown => {
      const kind = Math.floor(random() * (depth > 3 ? 4 : 6));
      if (kind === 0) return pick([null, true, false]);
      if (kind === 1) return pick([0, -1, 3.25, 1e-7, 123456789, -2.5e10]);
      if (kind === 2) return pick(['', 'plain', 'line\nbreak', 'tab\there', 'quote " and \\', 'ünï €', '😀', '2026-05-01T10:00:00Z']);
      if (kind === 3) return String(Math.floor(random() * 1000));
      if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(keys), value(depth + 1)]));
    };
    // Whitespace anywhere JSON allows it, line breaks included.
    const spread = (json: string) => json.replace(/([,:[\]{}])(?=(?:[^"\\]|\\.|"(?:[^"\\]|\\.)*")*$)/g, (c) => pick(['', ' ', '\n', '\r\n\t']) + c + pick(['', ' ', '\n  ']));
    for (let round = 0; round < 200; round++) {
      const records = Array.from({ length: Math.floor(random() * 6) }, () => value(0));
      const json = JSON.stringify({ meta: value(2), data: records, next: pick([null, 'abc', 7]) });
      expectSameAsJsonParse(random() < 0.5 ? json : spread(json), 'data', pick(['ts', 'n', 'id', 'name']));
    }
  });
});

describe('scanPage refuses what is not JSON, as JSON.parse does', () => {
  test.each([
    ['a truncated body', '{"data":[{"id":1},{"id"'],
    ['a truncated string', '{"data":[{"id":"abc'],
    ['a misspelt literal', '{"data":[{"ok":tru}]}'],
    ['a trailing comma', '{"data":[{"id":1},]}'],
    ['a missing comma', '{"data":[{"id":1} {"id":2}]}'],
    ['a leading zero', '{"data":[{"id":01}]}'],
    ['a bare decimal point', '{"data":[{"id":1.}]}'],
    ['a lone minus', '{"data":[{"id":-}]}'],
    ['a raw line break in a string', '{"data":[{"s":"a\nb"}]}'],
    ['a raw tab in a string', '{"data":[{"s":"a\tb"}]}'],
    ['a raw control character at the end of a string', '{"data":[{"s":"ab\u0001"}]}'],
    ['a letter outside strings', '{"data":[é]}'],
    ['an unknown escape', '{"data":[{"s":"\\x41"}]}'],
    ['a short unicode escape', '{"data":[{"s":"\\u12"}]}'],
    ['text after the body', '{"data":[]} x'],
    ['an empty body', ''],
    ['an HTML error page', '<html>Bad gateway</html>'],
    ['a single-quoted key', "{'data':[]}"],
  ])('%s', (_name, body) => {
    expect(() => JSON.parse(body)).toThrow(SyntaxError);
    expect(() => scanPage(Buffer.from(body), 'data')).toThrow(JsonScanError);
  });

  test('the error says at which byte', () => {
    expect(() => scanPage(Buffer.from('{"data":[{"ok":tru}]}'), 'data')).toThrow(/expected true at byte 15/);
  });
});

describe('scanPage leaves other shapes to JSON.parse', () => {
  test.each([
    ['no array at the path', '{"data":{"id":1}}'],
    ['no such key', '{"items":[1]}'],
    ['the key twice (JSON.parse keeps the last)', '{"data":[{"id":1}],"data":[{"id":2}]}'],
    ['the parent key twice', '{"a":{"data":[1]},"a":{}}'],
  ])('%s', (_name, body) => {
    const path = body.startsWith('{"a"') ? 'a.data' : 'data';
    expect(scanPage(Buffer.from(body), path)).toBeUndefined();
  });

  test('bytes that are not UTF-8 (decoding the body as text replaces them, as before)', () => {
    const body = (bytes: number[]) => Buffer.concat([Buffer.from('{"data":[{"s":"a'), Buffer.from(bytes), Buffer.from('b"}]}')]);
    for (const bad of [[0xff], [0xc3], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
      expect(scanPage(body(bad), 'data'), JSON.stringify(bad)).toBeUndefined();
    }
    // Well-formed sequences of every length pass: é, €, 😀.
    expect(scanPage(body([0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]), 'data')!.lastRecord).toEqual({ s: 'aé€😀b' });
  });

  test('nesting deeper than the stack', () => {
    const deep = `{"data":[${'['.repeat(20000)}${']'.repeat(20000)}]}`;
    expect(scanPage(Buffer.from(deep), 'data')).toBeUndefined();
  });
});

describe('parseExact', () => {
  test.each([
    ['an integer past 2^53', '{"a":9007199254740993}', { a: '9007199254740993' }],
    ['a negative one, in an array', '[-9007199254740993, 1]', ['-9007199254740993', 1]],
    ['safe integers, decimals and exponents stay numbers', '[9007199254740991,12345678901234567891.5,1e400,-0]', [9007199254740991, 12345678901234567891.5, Infinity, -0]],
    ['digits inside strings stay as they are', '{"s":"9007199254740993","t":"a\\"9007199254740993"}', { s: '9007199254740993', t: 'a"9007199254740993' }],
    ['a key made of digits', '{"9007199254740993":9007199254740993}', { '9007199254740993': '9007199254740993' }],
  ])('%s', (_name, text, expected) => {
    expect(parseExact(text)).toEqual(expected);
  });

  test('invalid JSON still throws', () => {
    expect(() => parseExact('{"a":9007199254740993')).toThrow(SyntaxError);
  });
});

describe('scanJsonLines', () => {
  test('blank lines and CRLF line ends are whitespace', () => {
    const scanned = scanJsonLines(Buffer.from('{"id":1}\r\n\n  {"id":2}\n'), 'id');
    expect([scanned.count, scanned.newestCursor]).toEqual([2, '2']);
  });

  test.each([
    ['two records on one line', '{"id":1} {"id":2}\n', /expected a line break after the record at byte 9/],
    ['a truncated last line', '{"id":1}\n{"id":', /unexpected end of the body at byte 15/],
    ['a record cut by a line break', '{"id":1}\n{"id":\n2}\n', /a record continues on the next line at byte 15/],
    ['a line that is not UTF-8', Buffer.concat([Buffer.from('{"id":1}\n{"s":"'), Buffer.from([0xff]), Buffer.from('"}\n')]), /a line that is not UTF-8 at byte 9/],
  ])('%s is refused, at its byte', (_name, text, error) => {
    expect(() => scanJsonLines(Buffer.isBuffer(text) ? text : Buffer.from(text))).toThrow(error);
  });
});
