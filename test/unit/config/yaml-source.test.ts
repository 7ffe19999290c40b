// The YAML layer under every config file: hostile structures are refused at a count, with file:line:col,
// before anything expands or walks them; places are found by key, however many keys a mapping has.
import { describe, expect, test } from 'vitest';
import { MAX_ALIAS_EXPANSION, MAX_ALIASES, MAX_DEPTH, YamlSource } from '../../../src/config/yaml-source.js';
import { formatDiagnostic } from '../../../src/errors.js';

function parse(text: string) {
  const { source, diagnostics } = YamlSource.parse('x.yml', text);
  return { source, errors: diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) };
}

/** An anchored list of `items` values, then `aliases` aliases to it: each alias adds `items` values. */
function aliasesOf(items: number, aliases: number): string {
  return `base: &a [${Array(items).fill('v').join(', ')}]\nuses:\n${'  - *a\n'.repeat(aliases)}`;
}

const nested = (levels: number) => `a: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;

describe('aliases and nesting are refused at a count', () => {
  test('the limits are what the README documents', () => {
    expect([MAX_ALIASES, MAX_ALIAS_EXPANSION, MAX_DEPTH]).toEqual([100, 10_000, 64]);
  });

  test.each([
    ['aliases that add exactly the limit', aliasesOf(100, 100), []],
    // 99 aliases add 9,999 values; the 100th takes the total past 10,000 (line 2 + 100).
    ['one value more', aliasesOf(101, 100), [/^x\.yml:102:5: alias \*a: the aliases in this file would expand to more than 10,000 extra values/]],
    ['the most aliases', aliasesOf(1, 100), []],
    ['one alias more', aliasesOf(1, 101), [/^x\.yml:103:5: more than 100 aliases \(\*name\) in one file/]],
    // The document's top mapping is level 1.
    ['63 nested lists under the top mapping', nested(63), []],
    ['64 nested lists', nested(64), [/^x\.yml:1:67: values are nested more than 64 levels deep$/]],
    ['an alias before its anchor', 'a: *b\nb: &b 1\n', [/^x\.yml:1:4: alias \*b has no anchor &b before it$/]],
    ['an alias inside its own anchor', 'a: &a [1, [2, *a]]\n', [/^x\.yml:1:15: alias \*a is inside the value it refers to$/]],
    ['an alias in a flow pair', 'a: &a [x, x]\nb: [k: *a, j: *c]\n', [/^x\.yml:2:15: alias \*c has no anchor/]],
    ['a list as a key', '? [a, b]\n: 1\n', [/^x\.yml:1:3: a key must be a plain name, not a list or mapping$/]],
    ['an alias as a key', 'a: &k name\n*k : 1\n', [/^x\.yml:2:1: a key must be a plain name, not an alias$/]],
    // 1 and "1" are the same key once the values are plain objects.
    ['a repeated key', 'a: 1\n"a": 2\n1: x\n"1": y\n', [/^x\.yml:2:1: duplicate key "a" \(first at line 1\)$/, /^x\.yml:4:1: duplicate key "1" \(first at line 3\)$/]],
  ])('%s', (_name, text, expected) => {
    const { source, errors } = parse(text);
    expect(errors).toEqual(expected.map((e) => expect.stringMatching(e)));
    if (expected.length === 0) expect(() => source.toJS()).not.toThrow();
    else expect(() => source.toJS()).toThrow(/toJS\(\) of a document with errors/);
  });

  test('aliases within the limits expand to the values they name', () => {
    const js = parse(aliasesOf(100, 100)).source.toJS() as { uses: string[][] };
    expect(js.uses).toHaveLength(100);
    expect(js.uses.every((u) => u.length === 100)).toBe(true);
  });
});

describe('every place is found, however many keys', () => {
  test('each of 5,000 repeated keys is reported at its own line', () => {
    const { errors } = parse('k: 1\n'.repeat(5_000));
    expect(errors).toHaveLength(4_999);
    expect(errors[4_998]).toBe('x.yml:5000:1: duplicate key "k" (first at line 1)');
  });

  test('offsetOf finds a key among 5,000 and points at its key or its value', () => {
    const { source } = parse(`m:\n${Array.from({ length: 5_000 }, (_, i) => `  k${i}: v${i}\n`).join('')}`);
    expect(source.position(source.offsetOf(['m', 'k4999']))).toEqual({ line: 5_001, col: 10 });
    expect(source.position(source.offsetOf(['m', 'k4999'], { key: true }))).toEqual({ line: 5_001, col: 3 });
    // A missing key gives its nearest existing ancestor.
    expect(source.position(source.offsetOf(['m', 'nope', 'deeper']))).toEqual({ line: 2, col: 3 });
  });
});
