// The raw-bytes record scanner against JSON.parse: the same records, profile, cursor and envelope for
// every body it accepts, the same verdict on bodies that are not JSON, and each record's bytes kept.
import { describe, expect, test } from 'vitest';
import { FieldProfile } from '../../../src/sources/profile.js';
import { maxCursor } from '../../../src/ingest/landing.js';
import { getPath } from '../../../src/sources/json-path.js';
import { copyJsonLines, JsonDepthError, JsonScanError, MAX_DEPTH, parseExact, scanJsonLines, scanPage, type ScannedPage } from '../../../src/sources/json-scan.js';

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
    ['the key twice (JSON.parse keeps the last)', '{"data":[{"id":1,"a":1}],"n":1,"data":[{"id":2}]}', 'data', 'id'],
    ['the parent key twice', '{"a":{"data":[{"id":1}]},"a":{"data":[{"id":2}]}}', 'a.data', 'id'],
    ['an array index in the path', '{"results":[{"items":[{"id":9}]},{"items":[{"id":1},{"id":2}]}]}', 'results.1.items', 'id'],
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
    ['the last of two equal keys has no array', '{"a":{"data":[1]},"a":{}}'],
    ['an index past the array', '{"results":[{"items":[1]}]}'],
  ])('%s', (_name, body) => {
    const path = body.startsWith('{"a"') ? 'a.data' : body.startsWith('{"results"') ? 'results.1.items' : 'data';
    expect(scanPage(Buffer.from(body), path)).toBeUndefined();
  });
});

const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const notUtf8 = (bytes: number[]) => Buffer.concat([Buffer.from('{"id":2,"ts":"9","s":"a'), Buffer.from(bytes), Buffer.from('b"}')]);

describe('records that cannot go to bronze as they came are kept apart, and the rest of the page loads', () => {
  // [name, the middle record of three]: each is rejected with its reason, its bytes kept as they came.
  test.each<[string, Buffer, string]>([
    ['a byte that is never UTF-8', notUtf8([0xff]), 'invalid_utf8'],
    ['a sequence cut short', notUtf8([0xc3]), 'invalid_utf8'],
    ['an overlong encoding', notUtf8([0xc0, 0x80]), 'invalid_utf8'],
    ['a UTF-16 surrogate', notUtf8([0xed, 0xa0, 0x80]), 'invalid_utf8'],
    ['a code point past U+10FFFF', notUtf8([0xf4, 0x90, 0x80, 0x80]), 'invalid_utf8'],
    ['Latin-1 text', Buffer.from('{"id":2,"ts":"9","name":"Caf\xe9"}', 'latin1'), 'invalid_utf8'],
    [`arrays nested ${MAX_DEPTH + 1} deep`, Buffer.from(`{"id":2,"ts":"9","x":${deepArray(MAX_DEPTH)}}`), 'too_deep'],
    ['objects nested 100,000 deep', Buffer.from(`{"id":2,"ts":"9","x":${deepObject(100_000)}}`), 'too_deep'],
    ['a record that is itself 100,000 arrays deep', Buffer.from(deepArray(100_000)), 'too_deep'],
    ['too deep and not UTF-8', Buffer.concat([Buffer.from(`{"id":2,"ts":"9","x":${deepArray(5_000)},"s":"`), Buffer.from([0xff]), Buffer.from('"}')]), 'invalid_utf8'],
  ])('%s', (_name, bad, reason) => {
    const first = Buffer.from('{"id":1,"ts":"1"}');
    const last = Buffer.from('{"id":3,"ts":"3","t":[{"u":true}]}');
    const page = scanPage(Buffer.concat([Buffer.from('{"data":[\n'), first, Buffer.from(',\n'), bad, Buffer.from(',\n'), last, Buffer.from('],"next":"n3"}')]), 'data', 'ts')!;
    // Every record stays in the lines, byte for byte, in order: the landing file keeps them all.
    expect(page.lines.equals(Buffer.concat([first, Buffer.from('\n'), bad, Buffer.from('\n'), last, Buffer.from('\n')]))).toBe(true);
    expect(page.count).toBe(3);
    expect(page.rejected).toEqual([{ index: 1, reason, bytes: bad }]);
    // The profile and the cursor are the other records' only ("9" would be the newest ts).
    expect(page.profile.rows().map((r) => [r.path, r.n])).toEqual([['id', 2], ['ts', 2], ['t', 1], ['t[]', 1], ['t[].u', 1]]);
    expect(page.newestCursor).toBe('3');
    expect(page.body).toEqual({ data: [], next: 'n3' });
    expect(page.lastRecord).toEqual({ id: 3, ts: '3', t: [{ u: true }] });

    // Read back as JSON lines (a replay, or a dropped file), the same records are rejected.
    const again = scanJsonLines(page.lines, 'ts');
    expect([again.count, again.newestCursor, again.rejected]).toEqual([3, '3', [{ index: 1, reason, bytes: bad }]]);
    const copied = copyJsonLines(Buffer.concat([Buffer.from('\n'), page.lines]), 'ts');
    expect(copied.lines.equals(page.lines)).toBe(true);
    expect(copied.rejected).toEqual(again.rejected);
  });

  test(`${MAX_DEPTH} levels are allowed; a page of plain records has no rejections`, () => {
    const page = scanPage(Buffer.from(`{"data":[{"x":${deepArray(MAX_DEPTH - 1)}},${deepObject(MAX_DEPTH)}]}`), 'data')!;
    expect([page.count, page.rejected]).toEqual([2, undefined]);
    expect(scanJsonLines(page.lines).rejected).toBeUndefined();
  });

  test('a line break inside a rejected record becomes a space, as in any record', () => {
    const page = scanPage(Buffer.concat([Buffer.from('{"data":[{"s":"\xff",\r\n"n":1}]}', 'latin1')]), 'data')!;
    expect(page.rejected![0].bytes).toEqual(Buffer.from('{"s":"\xff",  "n":1}', 'latin1'));
    expect(page.lines).toEqual(Buffer.from('{"s":"\xff",  "n":1}\n', 'latin1'));
  });

  test('bytes that are not UTF-8 outside the records reject nothing; paginators read them as U+FFFD', () => {
    const page = scanPage(Buffer.concat([Buffer.from('{"note":"caf'), Buffer.from([0xe9]), Buffer.from('","data":[{"id":1}]}')]), 'data')!;
    expect([page.count, page.rejected, page.body]).toEqual([1, undefined, { note: 'caf\uFFFD', data: [] }]);
  });

  test('a record that is not JSON fails the page even when it is not UTF-8 either', () => {
    expect(() => scanPage(Buffer.concat([Buffer.from('{"data":[{"s":"'), Buffer.from([0xff]), Buffer.from('",}]}')]), 'data')).toThrow(/expected a key at byte 18/);
    expect(() => scanPage(Buffer.from(`{"data":[${'['.repeat(5000)}]]}`), 'data')).toThrow(JsonScanError);
  });

  test.each([
    ['arrays', `{"meta":${deepArray(100_000)},"data":[{"id":1}]}`],
    ['objects', `{"data":[{"id":1}],"meta":${deepObject(MAX_DEPTH + 1)}}`],
    ['the value at the records path', `{"data":${deepObject(100_000)}}`],
  ])('a page nested too deep around its records (%s) cannot be read safely', (_name, body) => {
    expect(() => scanPage(Buffer.from(body), 'data')).toThrow(JsonDepthError);
    expect(() => scanPage(Buffer.from(body), 'data')).toThrow(/nests deeper than 1000 levels outside its records, at byte \d+/);
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
    ['a record cut by a line break, in a line that is not UTF-8', Buffer.from('{"id":1}\n{"s":"\xff",\n2}\n', 'latin1'), /a record continues on the next line at byte 18/],
  ])('%s is refused, at its byte', (_name, text, error) => {
    expect(() => scanJsonLines(Buffer.isBuffer(text) ? text : Buffer.from(text))).toThrow(error);
  });
});
