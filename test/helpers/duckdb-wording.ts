// DuckDB's error classes, its type names and internal function names (its own and the translation's sf_*
// macros): a message about a user's SQL that has any of them did not come from the translator or from
// src/sql/errors.ts, and means nothing to someone who wrote Snowflake SQL.
export const DUCKDB_WORDING =
  /\b(Binder|Parser|Catalog|Conversion|Invalid Input|Not implemented|Out of Range|INTERNAL|Constraint|Dependency|Serialization|Invalid type|Invalid Configuration) Error\b|in SQL:|\b(date_diff|list_extract|list_value|list_concat|json_extract(_string)?|regexp_full_match|regexp_matches|regexp_extract|strftime|strptime|epoch_ms|make_timestamp|make_date|struct_pack|array_extract|to_seconds|sf_\w+|INT64|INT32|HUGEINT|STRING_LITERAL|INTEGER_LITERAL)\b/i;
