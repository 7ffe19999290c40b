// Each mask rule of masking.ts as a Snowflake masking policy: the same rule names, and what others see is
// what masking.ts shows (a policy returns its column's type, so a column that is not text shows NULL to
// them: a number column cannot hold ••••). Keyed by rule name, so a new rule does not compile without one.
import { PARTIAL_TAIL_MIN_LENGTH, REDACTED, type MaskRuleName } from './masking.js';

const REDACTED_SQL = `'${REDACTED}'`;

/** The masked value of `val` (a text column's value, never NULL here), in Snowflake SQL. */
export const SNOWFLAKE_MASKS: Readonly<Record<MaskRuleName, (val: string) => string>> = {
  redact: () => REDACTED_SQL,
  null: () => 'NULL',
  hash: (val) => `'sha256:' || LEFT(SHA2(${val}, 256), 12)`,
  partial: (val) =>
    `CASE WHEN CONTAINS(TRIM(${val}), '@') THEN ${REDACTED_SQL} || '@' || SPLIT_PART(TRIM(${val}), '@', -1)` +
    ` WHEN LENGTH(TRIM(${val})) >= ${PARTIAL_TAIL_MIN_LENGTH} THEN ${REDACTED_SQL} || RIGHT(TRIM(${val}), 4) ELSE ${REDACTED_SQL} END`,
};

/** The type of a policy's signature for a pipeline column type (a policy takes and returns one type). */
export function policyType(columnType: string): string {
  if (/^(integer|bigint|decimal\(.*\))$/i.test(columnType)) return 'NUMBER';
  const simple: Record<string, string> = { string: 'VARCHAR', double: 'FLOAT', boolean: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMP_NTZ', json: 'VARIANT' };
  return simple[columnType] ?? columnType.toUpperCase();
}

/** The policy's name for a rule and a policy type: one policy serves every column of that rule and type. */
export function maskingPolicyName(rule: MaskRuleName, type: string): string {
  return `MASK_${rule.toUpperCase()}_${type}`;
}

/**
 * The policy's body: clear to a session that has one of `clearRoles` (or a role above one of them, as
 * IS_ROLE_IN_SESSION follows the hierarchy), masked to everyone else. `type` is policyType(the column's type).
 */
export function maskingPolicyBody(rule: MaskRuleName, type: string, clearRoles: readonly string[]): string {
  const clear = clearRoles.length ? clearRoles.map((r) => `IS_ROLE_IN_SESSION('${r}')`).join(' OR ') : 'FALSE';
  const masked = type === 'VARCHAR' ? SNOWFLAKE_MASKS[rule]('val') : 'NULL';
  return `(val ${type}) RETURNS ${type} ->\n  CASE WHEN val IS NULL OR ${clear} THEN val ELSE ${masked} END`;
}
