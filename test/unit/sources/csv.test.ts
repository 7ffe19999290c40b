// RFC 4180 CSV, in one piece and split at every possible point.
import { describe, expect, test } from 'vitest';
import { CsvError, CsvParser } from '../../../src/sources/csv.js';

function parse(text: string, pieces: 'whole' | 'chars' = 'whole', delimiter = ','): Array<Array<string | null>> {
  const parser = new CsvParser(delimiter);
  const chunks = pieces === 'whole' ? [text] : [...text];
  return [...chunks.flatMap((c) => parser.push(c)), ...parser.end()].map((r) => r.fields);
}

describe('CsvParser', () => {
  test.each<[string, string, Array<Array<string | null>>]>([
    ['plain rows, LF', 'a,b\n1,2\n', [['a', 'b'], ['1', '2']]],
    ['CRLF and no final line break', 'a,b\r\n1,2', [['a', 'b'], ['1', '2']]],
    ['a leading BOM', '\uFEFFa,b\n1,2\n', [['a', 'b'], ['1', '2']]],
    ['quoted delimiters, doubled quotes and line breaks', 'a,b\n"x, y","say ""hi""\nthere"\n', [['a', 'b'], ['x, y', 'say "hi"\nthere']]],
    ['unquoted empty is null, quoted empty is ""', 'a,b,c\n,"",\n', [['a', 'b', 'c'], [null, '', null]]],
    ['blank lines are no rows', 'a\n\n1\n\n', [['a'], ['1']]],
    ['spaces are kept', 'a, b \n', [['a', ' b ']]],
  ])('%s', (_name, text, rows) => {
    expect(parse(text)).toEqual(rows);
    expect(parse(text, 'chars')).toEqual(rows);
  });

  test('another delimiter', () => {
    expect(parse('a;b\n"1;2";3\n', 'chars', ';')).toEqual([['a', 'b'], ['1;2', '3']]);
    expect(parse('a\tb\n1\t2\n', 'whole', '\t')).toEqual([['a', 'b'], ['1', '2']]);
  });

  test('rows know the line they start on, across quoted line breaks', () => {
    const parser = new CsvParser();
    const rows = [...parser.push('h\n"a\nb"\nc\n'), ...parser.end()];
    expect(rows.map((r) => r.line)).toEqual([1, 2, 4]);
  });

  test('an unclosed quote is an error naming its line', () => {
    const parser = new CsvParser();
    parser.push('a\n1\n"open\n');
    expect(() => parser.end()).toThrow(CsvError);
    expect(() => new CsvParser().end()).not.toThrow();
    const again = new CsvParser();
    again.push('a\n"x');
    expect(() => again.end()).toThrow('line 2: a quoted field is not closed before the end of the file');
  });

  test('a delimiter must be one ordinary character', () => {
    expect(() => new CsvParser(';;')).toThrow(/one character/);
    expect(() => new CsvParser('"')).toThrow(/one character/);
  });
});
