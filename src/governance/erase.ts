// `dataops erase --key customer_id=123`: a subject's records removed from every layer on request. Bronze
// records hold the key where a silver mapping reads that column (its `path`); the landing files are written
// again without them (erase-landing.ts); silver loses the rows built from those records and any row with the
// column; meta.rejected and meta.check_samples lose theirs. Per batch, the load records lose the erased units
// as accepted or rejected, so bronze units = accepted + rejected still holds. The models that read an erased
// table are then rebuilt from what is left. meta.erasures records what and how many, never the value: the
// ids are small integers, and a hash, salted or not, kept next to its salt would be undone by trying them all.
// Every step is a plain DELETE by key or record (history versions go too), and erasing again finds only what
// is left: a crash part-way is finished by running the command again (rebuilds still owed are kept as pending).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { bronzeTableName, splitPath, type SilverTable } from '../config/types.js';
import { UsageError } from '../errors.js';
import type { ModelNode } from '../graph/graph.js';
import { stageLandingFiles } from '../ingest/landing-stage.js';
import { MATERIALIZATIONS, dataVersions } from '../models/transform.js';
import type { Project } from '../project.js';
import { readNodeStates, recordNodeState } from '../state/nodes.js';
import { ident, sqlString, type Warehouse } from '../warehouse/adapter.js';
import { eraseFromLanding, recordHolds } from './erase-landing.js';

export interface EraseKey {
  column: string;
  value: string;
}

export type ErasureLayer = 'landing' | 'bronze' | 'silver' | 'gold' | 'rejected' | 'samples';

/** Records or rows of the subject one table (or a resource's landing files) held. */
export interface ErasureCount {
  layer: ErasureLayer;
  table: string;
  rows: number;
}

export interface ErasureResult {
  /** Unset for a dry run, which records nothing. */
  erasureId?: string;
  keyName: string;
  counts: ErasureCount[];
  /** Models rebuilt from what is left (or, in a dry run, that would be). */
  rebuilt: string[];
  /** Where the key could not be looked for, and why. */
  notes: string[];
}

/** `customer_id=123`: a column name, and the value as text. */
export function parseEraseKey(text: string): EraseKey {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(text);
  if (!match) throw new UsageError(`--key: expected <column>=<value>, e.g. customer_id=123, got ${JSON.stringify(text)}`);
  return { column: match[1].toLowerCase(), value: match[2] };
}

/** A bronze table whose records hold the key, where, and the silver tables built from it. */
interface BronzeSource {
  table: string;
  pipeline: string;
  resource: string;
  paths: string[][];
  silver: SilverTable[];
}

const RECORDS = '_erase_records';

export async function eraseSubject(
  warehouse: Warehouse,
  project: Project,
  options: { key: EraseKey; landingDir: string; runId: string; dryRun?: boolean },
): Promise<ErasureResult> {
  const { key, dryRun } = options;
  const d = warehouse.dialect;
  const value = sqlString(key.value);
  const notes: string[] = [];
  const sources = bronzeSources(project, key.column, notes);
  const counts: ErasureCount[] = [];
  const erased = new Set<string>();
  const count = (layer: ErasureLayer, table: string, rows: number) => {
    counts.push({ layer, table, rows });
    if (rows > 0) erased.add(table);
  };

  const present = sources.filter((s) => s.paths.length);
  // Landing first: a file rewritten stays rewritten, and erasing again looks for what is left everywhere.
  for (const source of present) {
    const dir = join(options.landingDir, `source=${source.pipeline}`, `resource=${source.resource}`);
    const files = await eraseFromLanding(dir, source.paths, key.value, dryRun);
    counts.push({ layer: 'landing', table: `landing/source=${source.pipeline}/resource=${source.resource}`, rows: files.reduce((n, f) => n + f.records, 0) });
    if (!dryRun && files.length && warehouse.capabilities.fileStage) await stageLandingFiles(warehouse, options.landingDir, files.map((f) => f.file));
  }

  // A bronze table not created yet (its pipeline never ran) holds nothing.
  const built: BronzeSource[] = [];
  for (const s of present) if (await warehouse.tableExists(s.table)) built.push(s);
  await warehouse.execute(`CREATE OR REPLACE TEMP TABLE ${RECORDS} (table_name VARCHAR, batch_id VARCHAR, record_hash VARCHAR)`);
  for (const s of built) {
    const holds = s.paths.map((p) => `${d.jsonText('_record', p)} = ${value}`).join(' OR ');
    await warehouse.execute(`INSERT INTO ${RECORDS} SELECT ${sqlString(s.table)}, _batch_id, _record_hash FROM ${s.table} WHERE ${holds}`);
  }
  // Whether a row (of bronze, or meta.rejected) is one of an erased record's: by batch and record hash.
  const isErased = (table: string, batch = 'batch_id', hash = 'record_hash') =>
    `(${batch} || '/' || ${hash}) IN (SELECT batch_id || '/' || record_hash FROM ${RECORDS} WHERE table_name = ${sqlString(table)})`;
  const fromBronze = (table: string, prefix = '') => isErased(table, `${prefix}_batch_id`, `${prefix}_record_hash`);

  const statements: string[] = [];
  for (const s of built) {
    const batchRows = await warehouse.query<{ batch_id: string; n: number }>(
      `SELECT _batch_id AS batch_id, COUNT(*) AS n FROM ${s.table} b WHERE ${fromBronze(s.table, 'b.')} GROUP BY _batch_id`,
    );
    count('bronze', s.table, batchRows.reduce((sum, r) => sum + Number(r.n), 0));
    // The load records lose what the erased records were: per batch and silver table, their units as accepted or rejected.
    for (const t of s.silver) {
      const units = t.explode ? `SUM(COALESCE(${d.arrayLength('b._record', splitPath(t.explode))}, 1))` : 'COUNT(*)';
      const rows = await warehouse.query<{ batch_id: string; units: number; rejected: number }>(
        `SELECT b._batch_id AS batch_id, ${units} AS units,
                (SELECT COUNT(*) FROM meta.rejected r WHERE r.table_name = ${sqlString(`silver.${t.name}`)} AND r.batch_id = b._batch_id AND ${isErased(s.table, 'r.batch_id', 'r.record_hash')}) AS rejected
         FROM ${s.table} b WHERE ${fromBronze(s.table, 'b.')} GROUP BY b._batch_id`,
      );
      for (const r of rows) {
        const [u, rej] = [Number(r.units), Number(r.rejected)];
        statements.push(`UPDATE meta.silver_loads SET bronze = bronze - ${u}, accepted = accepted - ${u - rej}, rejected = rejected - ${rej}
          WHERE table_name = ${sqlString(`silver.${t.name}`)} AND batch_id = ${sqlString(r.batch_id)}`);
      }
    }
    // Records rejected before bronze are only in meta.rejected (and the landing files): matched by their text.
    const early = (await warehouse.query<{ batch_id: string; record_hash: string; record: string | null }>(
      `SELECT batch_id, record_hash, record FROM meta.rejected WHERE table_name = ${sqlString(s.table)}`,
    )).filter((r) => r.record !== null && recordHolds(r.record, s.paths, key.value));
    for (const r of batchRows) {
      statements.push(`UPDATE meta.batches SET bronze_rows = bronze_rows - ${Number(r.n)}, received = received - ${Number(r.n)} WHERE batch_id = ${sqlString(r.batch_id)}`);
    }
    for (const r of early) {
      statements.push(`DELETE FROM meta.rejected WHERE table_name = ${sqlString(s.table)} AND batch_id = ${sqlString(r.batch_id)} AND record_hash = ${sqlString(r.record_hash)}`);
      statements.push(`UPDATE meta.batches SET received = received - 1, rejected = rejected - 1 WHERE batch_id = ${sqlString(r.batch_id)}`);
    }
    const [{ rejected }] = await warehouse.query<{ rejected: number }>(
      `SELECT COUNT(*) AS rejected FROM meta.rejected r WHERE r.table_name IN (${s.silver.map((t) => sqlString(`silver.${t.name}`)).join(', ')}) AND ${isErased(s.table)}`,
    );
    count('rejected', `meta.rejected (${s.table} and its silver tables)`, Number(rejected) + early.length);
    statements.push(`DELETE FROM meta.rejected WHERE table_name IN (${s.silver.map((t) => sqlString(`silver.${t.name}`)).join(', ')}) AND ${isErased(s.table)}`);
    statements.push(`DELETE FROM ${s.table} WHERE ${fromBronze(s.table)}`);
  }

  // Silver and gold: the rows built from erased records, and every row with the key's column. The models
  // that read an erased table are rebuilt below instead (they may hold it under another name, or summed).
  const mapped = new Map<string, string>(present.flatMap((s) => s.silver.map((t) => [`silver.${t.name}`, s.table] as const)));
  const withColumn = await tablesWithColumn(warehouse, key.column);
  const candidates = [...new Set([...mapped.keys(), ...withColumn])];
  const toRebuild = (table: string) => {
    const node = project.graph.get(table);
    return !!node && 'model' in node;
  };
  const deletedSilver: string[] = [];
  for (const table of candidates) {
    if (toRebuild(table) || !(await warehouse.tableExists(table))) continue;
    const conditions = [
      ...(withColumn.includes(table) ? [`CAST(${ident(key.column)} AS VARCHAR) = ${value}`] : []),
      ...(mapped.has(table) ? [`_record_hash IN (SELECT record_hash FROM ${RECORDS} WHERE table_name = ${sqlString(mapped.get(table)!)})`] : []),
    ];
    const [{ n }] = await warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${conditions.join(' OR ')}`);
    count(table.startsWith('gold.') ? 'gold' : 'silver', table, Number(n));
    if (Number(n) > 0) {
      deletedSilver.push(table);
      statements.push(`DELETE FROM ${table} WHERE ${conditions.join(' OR ')}`);
    }
  }

  const samples = await samplesHolding(warehouse, key);
  counts.push({ layer: 'samples', table: 'meta.check_samples', rows: samples.length });
  for (const s of samples) {
    statements.push(`DELETE FROM meta.check_samples WHERE run_id = ${sqlString(s.run_id)} AND table_name = ${sqlString(s.table_name)} AND check_name = ${sqlString(s.check_name)} AND sample_index = ${Number(s.sample_index)}`);
  }

  const pending = dryRun ? [] : await pendingRebuilds(warehouse);
  const readsErased = project.graph.downstream(erased);
  const rebuild = project.graph.order
    .filter((name) => pending.includes(name) || (toRebuild(name) && readsErased.has(name)))
    .map((name) => project.graph.get(name) as ModelNode);
  const result: ErasureResult = { keyName: key.column, counts, rebuilt: rebuild.map((n) => n.name), notes };
  if (dryRun) {
    await warehouse.execute(`DROP TABLE IF EXISTS ${RECORDS}`);
    return result;
  }

  const erasureId = `erasure_${new Date().toISOString().replace(/[-:.]/g, '')}_${randomBytes(3).toString('hex')}`;
  result.erasureId = erasureId;
  const row = (layer: string, table: string, rows: number, status: string) =>
    `(${[erasureId, key.column].map(sqlString).join(', ')}, ${d.now}, ${[layer, table].map(sqlString).join(', ')}, ${rows}, ${sqlString(status)})`;
  await warehouse.transaction(async () => {
    for (const sql of statements) await warehouse.execute(sql);
    // What reads a silver table whose rows went sees its data move (models/transform.ts data versions).
    if (deletedSilver.length) await warehouse.execute(`UPDATE meta.nodes SET data_version = data_version + 1 WHERE node IN (${deletedSilver.map(sqlString).join(', ')})`);
    const rows = [...counts.map((c) => row(c.layer, c.table, c.rows, 'done')), ...rebuild.map((n) => row('rebuild', n.name, 0, 'pending'))];
    await warehouse.execute(`INSERT INTO meta.erasures VALUES ${rows.join(', ')}`);
  });
  await warehouse.execute(`DROP TABLE IF EXISTS ${RECORDS}`);

  const states = await readNodeStates(warehouse);
  const versions = await dataVersions(warehouse, project.graph, states);
  for (const node of rebuild) {
    // One statement at a time: a connection runs one at a time (Snowflake refuses a second).
    let missing = !(await warehouse.tableExists(node.name));
    for (const parent of node.parents.filter((p) => project.graph.get(p))) missing ||= !(await warehouse.tableExists(parent));
    const version = (states.get(node.name)?.dataVersion ?? 0) + 1;
    const inputs = Object.fromEntries(node.parents.filter((p) => project.graph.get(p)).map((p) => [p, versions.get(p) ?? 0]));
    await warehouse.transaction(async () => {
      // A model never built (or whose inputs are not there yet) holds nothing to erase; its first build reads what is left.
      if (!missing) await MATERIALIZATIONS[node.kind].rebuild(warehouse, node, options.runId, () => recordNodeState(warehouse, node, { dataVersion: version, inputs, resetVersion: version, runId: options.runId }));
      await warehouse.execute(`UPDATE meta.erasures SET status = 'done' WHERE layer = 'rebuild' AND table_name = ${sqlString(node.name)} AND status = 'pending'`);
    });
    if (!missing) versions.set(node.name, version);
  }
  return result;
}

/** The bronze tables whose records hold the column, at the paths the silver mappings read it from. */
function bronzeSources(project: Project, column: string, notes: string[]): BronzeSource[] {
  const sources = new Map<string, BronzeSource>();
  for (const pipeline of project.pipelines) {
    for (const table of pipeline.silver) {
      const name = `bronze.${bronzeTableName(pipeline.name, table.from)}`;
      const source = sources.get(name) ?? { table: name, pipeline: pipeline.name, resource: table.from, paths: [], silver: [] };
      sources.set(name, source);
      source.silver.push(table);
      const spec = table.columns.find((c) => c.name === column);
      if (!spec) continue;
      if (table.explode && !spec.path.startsWith('$.')) {
        notes.push(`silver.${table.name}.${column} is read from each element of ${table.explode}: its rows are erased by key, but the bronze records are not searched at that path`);
        continue;
      }
      const path = splitPath(spec.path);
      if (!source.paths.some((p) => p.join('.') === path.join('.'))) source.paths.push(path);
    }
  }
  return [...sources.values()];
}

/** Silver and gold tables (not views) that have the column. */
async function tablesWithColumn(warehouse: Warehouse, column: string): Promise<string[]> {
  const rows = await warehouse.query<{ s: string; t: string }>(
    `SELECT lower(c.table_schema) AS s, lower(c.table_name) AS t FROM information_schema.columns c
     JOIN information_schema.tables x ON lower(x.table_schema) = lower(c.table_schema) AND lower(x.table_name) = lower(c.table_name)
     WHERE lower(c.column_name) = ${sqlString(column)} AND lower(c.table_schema) IN ('silver', 'gold') AND x.table_type = 'BASE TABLE'`,
  );
  return rows.map((r) => `${r.s}.${r.t}`).filter((t) => !t.endsWith('__rebuild')).sort();
}

/** The failing-row samples whose row has the key's column at the value. */
async function samplesHolding(warehouse: Warehouse, key: EraseKey) {
  const rows = await warehouse.query<{ run_id: string; table_name: string; check_name: string; sample_index: number; sample_row: string }>(
    `SELECT run_id, table_name, check_name, sample_index, sample_row FROM meta.check_samples WHERE POSITION(${sqlString(key.value)} IN sample_row) > 0`,
  );
  return rows.filter((r) => recordHolds(r.sample_row, [[key.column]], key.value));
}

/** Models an earlier erasure still owes a rebuild (it stopped part-way). */
async function pendingRebuilds(warehouse: Warehouse): Promise<string[]> {
  const rows = await warehouse.query<{ t: string }>(`SELECT DISTINCT table_name AS t FROM meta.erasures WHERE layer = 'rebuild' AND status = 'pending'`);
  return rows.map((r) => r.t);
}

