// The syntax of every declaration is documented where users look for it: README.md and schemas/README.md
// (beside the pipeline files' JSON Schema). Each option the parsers take has its row there, and the error
// the docs quote for an unknown option is the one validate prints.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { MODEL_OPTION_NAMES, parseModelOptions } from '../../../src/config/model-options.js';
import { CHECK_OPTION_NAMES } from '../../../src/config/sql-check.js';
import { formatDiagnostic } from '../../../src/errors.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const read = (file: string) => readFileSync(join(REPO, file), 'utf8');

/** The first column of each row of the Markdown table that follows `heading` (up to the next heading). */
function tableRows(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(heading);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const section = markdown.slice(start + heading.length).split(/\n#{1,3} |\n\*\*[A-Z]/)[0];
  return [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
}

describe('schemas/README.md', () => {
  const docs = read('schemas/README.md');
  test.each([
    { heading: '## SQL models: the leading comment block', names: MODEL_OPTION_NAMES },
    { heading: '## SQL checks: the leading comment block', names: CHECK_OPTION_NAMES },
  ])('$heading has one row per option', ({ heading, names }) => {
    expect(tableRows(docs, heading).sort()).toEqual([...names].sort());
  });

  test('the unknown-option error it quotes is the one validate gives', () => {
    const quoted = /`(sql\/gold\/m\.sql:1:4: unknown model option "materialised" \(options: [^`]*?)\.\.\.\)`/.exec(docs);
    expect(quoted).not.toBeNull();
    const [error] = parseModelOptions('sql/gold/m.sql', '-- materialised: view\nSELECT 1').diagnostics.map(formatDiagnostic);
    expect(error.startsWith(quoted![1])).toBe(true);
  });

  test('README.md links it, and its own table of model options has every option', () => {
    const readme = read('README.md');
    expect(readme).toContain('(schemas/README.md)');
    expect(tableRows(readme, '**How a model is materialised**').sort()).toEqual([...MODEL_OPTION_NAMES].sort());
  });
});
