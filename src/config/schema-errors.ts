// Turns ajv's errors into one readable message per problem, placed at the YAML line at fault. Linear in
// the number of errors: a file with thousands of unknown keys gets thousands of errors from ajv.
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../errors.js';
import { clip, pathToString, type YamlPath, type YamlSource } from './yaml-source.js';

// Generic keywords only say "some branch failed"; when a more specific error exists for the same
// value they are noise.
const GENERIC = new Set(['type', 'anyOf', 'oneOf', 'if', 'discriminator:branch']);

export function schemaDiagnostics(errors: ErrorObject[], source: YamlSource): Diagnostic[] {
  // Every path that has a specific error at it or below it, and every path with an anyOf error.
  const specificAtOrBelow = new Set<string>();
  const anyOfAt = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'anyOf') anyOfAt.add(e.instancePath);
    if (GENERIC.has(e.keyword)) continue;
    for (let path = e.instancePath; !specificAtOrBelow.has(path); path = path.slice(0, path.lastIndexOf('/'))) {
      specificAtOrBelow.add(path);
      if (path === '') break;
    }
  }
  const out = new Map<string, Diagnostic>();
  for (const error of errors) {
    if (GENERIC.has(error.keyword) && specificAtOrBelow.has(error.instancePath)) continue;
    // A type error inside an anyOf is described by the anyOf itself.
    if (error.keyword === 'type' && anyOfAt.has(error.instancePath)) continue;
    const path = toPath(error.instancePath);
    const { message, at, key } = describe(error, path, source.root);
    const diagnostic = source.diagnosticFor(at, message, { key });
    out.set(`${diagnostic.line}:${diagnostic.col}:${message}`, diagnostic);
  }
  return [...out.values()];
}

function toPath(instancePath: string): string[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describe(error: ErrorObject, path: string[], root: string): { message: string; at: YamlPath; key?: boolean } {
  const where = pathToString(path, root);
  const params = error.params as Record<string, unknown>;
  const schema = error.parentSchema as Record<string, unknown> | undefined;
  switch (error.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys((schema?.properties as object | undefined) ?? {});
      const name = clip(String(params.additionalProperty));
      const expected = allowed.length ? ` (expected one of: ${allowed.join(', ')})` : '';
      return { message: `unknown key "${name}" in ${where}${expected}`, at: [...path, String(params.additionalProperty)], key: true };
    }
    case 'required':
      return { message: `${where}: missing required key "${String(params.missingProperty)}"`, at: path, key: true };
    case 'discriminator': {
      const kinds = ((schema?.oneOf as Array<{ properties: { kind: { const: string } } }>) ?? []).map((b) => b.properties.kind.const);
      if (params.error === 'tag') return { message: `${where}: missing required key "kind" (expected one of: ${kinds.join(', ')})`, at: path, key: true };
      return {
        message: `${where}.kind: unknown kind ${show(params.tagValue)} (expected one of: ${kinds.join(', ')})`,
        at: [...path, 'kind'],
      };
    }
    case 'enum':
      return {
        message: `${where}: expected one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${show(error.data)}`,
        at: path,
      };
    case 'const':
      return { message: `${where}: expected ${JSON.stringify(params.allowedValue)}, got ${show(error.data)}`, at: path };
    case 'pattern': {
      const hint = typeof schema?.description === 'string' ? ` (${schema.description})` : '';
      return { message: `${where}: ${show(error.data)} does not match ${String(params.pattern)}${hint}`, at: path };
    }
    case 'propertyNames':
      return { message: `${where}: invalid name ${show(params.propertyName)}`, at: [...path, String(params.propertyName)], key: true };
    case 'type':
      if (typeof schema?.description === 'string' && schema.description.startsWith('A secret')) {
        // Never echo the value: it is probably the secret itself.
        return { message: `${where}: a secret must come from an environment variable: write { env: NAME } instead of a literal value`, at: path };
      }
      return { message: `${where}: expected ${String(params.type)}, got ${typeName(error.data)}`, at: path };
    case 'anyOf': {
      const branches = ((schema?.anyOf as Array<Record<string, unknown>>) ?? []).map(branchName);
      return { message: `${where}: expected ${branches.join(' or ')}, got ${typeName(error.data)}`, at: path };
    }
    default:
      return { message: `${where}: ${error.message ?? error.keyword}`, at: path };
  }
}

function branchName(branch: Record<string, unknown>): string {
  if (typeof branch.$ref === 'string') return branch.$ref.endsWith('envRef') || branch.$ref.endsWith('secretRef') ? '{ env: NAME }' : branch.$ref;
  if (branch.type === 'array') return 'a list';
  if (Array.isArray(branch.type)) return branch.type.join(' or ');
  return `a ${String(branch.type)}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${show(value)}`;
}

/** A value from the file, quoted and cut short. */
function show(value: unknown): string {
  return clip(JSON.stringify(value) ?? String(value));
}
