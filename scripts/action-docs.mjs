// npm run docs:actions: writes the usage block of each actions/<name>/README.md from its action.yml,
// between the markers below; the rest of the README is written by hand. `--check` changes nothing and
// exits 1 naming the READMEs that are out of date (test/integration/action-metadata.test.ts runs it).
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const START = '<!-- usage:start (generated from action.yml by `npm run docs:actions`; edit action.yml instead) -->';
const END = '<!-- usage:end -->';

function wrap(text, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const yamlScalar = (value) => (value === '' || /[:#{}[\],&*?|<>=!%@`'"]|^\s|\s$/.test(value) ? `'${value.replace(/'/g, "''")}'` : value);

export function usageBlock(name, action) {
  const inputs = Object.entries(action.inputs ?? {});
  const outputs = Object.entries(action.outputs ?? {});
  const lines = [START, '', '## Usage', '', '```yaml', `- uses: ./actions/${name}`];
  if (inputs.length) lines.push('  with:');
  inputs.forEach(([input, spec], i) => {
    if (i > 0) lines.push('');
    for (const l of wrap(spec.description ?? '', 96)) lines.push(`    # ${l}`);
    lines.push(`    # Default: ${spec.default === undefined ? '(none)' : yamlScalar(String(spec.default))}${spec.required ? ' (required)' : ''}`);
    lines.push(`    ${input}: ${yamlScalar(String(spec.default ?? ''))}`);
  });
  lines.push('```', '', '## Inputs', '', '| Name | Description | Default |', '| --- | --- | --- |');
  for (const [input, spec] of inputs) {
    const value = spec.default === undefined || spec.default === '' ? '' : `\`${spec.default}\``;
    lines.push(`| \`${input}\` | ${cell(spec.description ?? '')} | ${value} |`);
  }
  lines.push('', '## Outputs', '', '| Name | Description |', '| --- | --- |');
  for (const [output, spec] of outputs) lines.push(`| \`${output}\` | ${cell(spec.description ?? '')} |`);
  lines.push('', `Runs on \`${action.runs.using}\` from \`${action.runs.main}\`.`, '', END);
  return lines.join('\n');
}

/** The README with its usage block replaced (appended when the markers are missing). */
export function withUsage(readme, block) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end === -1) return `${readme.trimEnd()}\n\n${block}\n`;
  return readme.slice(0, start) + block + readme.slice(end + END.length);
}

const checkOnly = process.argv.includes('--check');
const stale = [];
for (const entry of await readdir(join(root, 'actions'), { withFileTypes: true })) {
  const dir = join(root, 'actions', entry.name);
  if (!entry.isDirectory() || !existsSync(join(dir, 'action.yml'))) continue;
  const action = parse(await readFile(join(dir, 'action.yml'), 'utf8'));
  const readmePath = join(dir, 'README.md');
  const current = existsSync(readmePath) ? await readFile(readmePath, 'utf8') : `# ${action.name}\n\n${action.description}\n`;
  const next = withUsage(current, usageBlock(entry.name, action));
  if (next === current) continue;
  stale.push(`actions/${entry.name}/README.md`);
  if (!checkOnly) await writeFile(readmePath, next);
}
if (checkOnly && stale.length) {
  console.error(`out of date (run npm run docs:actions): ${stale.join(', ')}`);
  process.exitCode = 1;
} else console.log(stale.length ? `updated ${stale.join(', ')}` : 'action READMEs are up to date');
