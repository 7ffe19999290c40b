// Turns ajv's errors into one readable message per problem, placed at the YAML line at fault.
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../errors.js';
import { pathToString, type YamlPath, type YamlSource } from './yaml-source.js';

// Generic keywords only say "some branch failed"; when a more specific error exists for the same
// value they are noise.
const GENERIC = new Set(['type', 'anyOf', 'oneOf', 'if', 'discriminator:branch']);

export function schemaDiagnostics(errors: ErrorObject[], source: YamlSource): Diagnostic[] {
  const specificPaths = errors.filter((e) => !GENERIC.has(e.keyword)).map((e) => e.instancePath);
  const hasSpecificAtOrBelow = (path: string) => specificPaths.some((p) => p === path || p.startsWith(`${path}/`));
  const out = new Map<string, Diagnostic>();
  for (const error of errors) {
    if (GENERIC.has(error.keyword) && hasSpecificAtOrBelow(error.instancePath)) continue;
    // A type error inside an anyOf is described by the anyOf itself.
    if (error.keyword === 'type' && errors.some((e) => e.keyword === 'anyOf' && e.instancePath === error.instancePath)) continue;
    const path = toPath(error.instancePath);
    const { message, at, key } = describe(error, path);
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

function describe(error: ErrorObject, path: string[]): { message: string; at: YamlPath; key?: boolean } {
  const where = pathToString(path);
  const params = error.params as Record<string, unknown>;
  const schema = error.parentSchema as Record<string, unknown> | undefined;
  switch (error.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys((schema?.properties as object | undefined) ?? {});
      const name = String(params.additionalProperty);
      const expected = allowed.length ? ` (expected one of: ${allowed.join(', ')})` : '';
      return { message: `unknown key "${name}" in ${where}${expected}`, at: [...path, name], key: true };
    }
    case 'required':
      return { message: `${where}: missing required key "${String(params.missingProperty)}"`, at: path, key: true };
    case 'discriminator': {
      const kinds = ((schema?.oneOf as Array<{ properties: { kind: { const: string } } }>) ?? []).map((b) => b.properties.kind.const);
      if (params.error === 'tag') return { message: `${where}: missing required key "kind" (expected one of: ${kinds.join(', ')})`, at: path, key: true };
      return {
        message: `${where}.kind: unknown kind ${JSON.stringify(params.tagValue)} (expected one of: ${kinds.join(', ')})`,
        at: [...path, 'kind'],
      };
    }
    case 'enum':
      return {
        message: `${where}: expected one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(error.data)}`,
        at: path,
      };
    case 'const':
      return { message: `${where}: expected ${JSON.stringify(params.allowedValue)}, got ${JSON.stringify(error.data)}`, at: path };
    case 'pattern': {
      const hint = typeof schema?.description === 'string' ? ` (${schema.description})` : '';
      return { message: `${where}: ${JSON.stringify(error.data)} does not match ${String(params.pattern)}${hint}`, at: path };
    }
    case 'propertyNames':
      return { message: `${where}: invalid name ${JSON.stringify(params.propertyName)}`, at: [...path, String(params.propertyName)], key: true };
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
  return `${typeof value} ${JSON.stringify(value)}`;
}
