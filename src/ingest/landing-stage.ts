// Landing files kept in the warehouse, where it has an internal stage (Snowflake): an Actions job's disk
// is gone when the job ends, so each committed batch's landing parts are also PUT to @meta.landing, and
// `run --replay` GETs them back when the local files are missing. The stage is laid out like the folder,
// <pipeline>/<resource>/<YYYY-MM-DD>/<HH>/part-<batch>-NNNN.jsonl.gz (no "=" in the path: stage paths
// are safest without quoting), and is pruned like it, past bronze.copy_window. On DuckDB the folder
// travels with the database file instead (the Actions cache), so nothing here runs.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline as pipe } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { UsageError, WarehouseError } from '../errors.js';
import { LANDING_STAGE } from '../state/meta.js';
import type { Warehouse } from '../warehouse/adapter.js';
import { landingPath } from './landing.js';

export { LANDING_STAGE };

/** The stage folder of a landing file: source=p/resource=r/dt=D/hour=H under `root` -> p/r/D/H. */
function stageDir(root: string, file: string): string {
  const parts = relative(root, dirname(file)).split(sep);
  const values = parts.map((part) => /^(source|resource|dt|hour)=([\w-]+)$/.exec(part)?.[2]);
  if (values.length !== 4 || values.some((v) => v === undefined)) throw new WarehouseError(`${file}: not a landing file under ${root}`);
  return values.join('/');
}

/** PUTs a batch's landing parts to the stage, inside the batch's transaction: a failed upload fails the batch. */
export async function stageLandingFiles(warehouse: Warehouse, root: string, files: readonly string[]): Promise<void> {
  if (!warehouse.capabilities.fileStage) return;
  for (const file of files) {
    const target = `@${LANDING_STAGE}/${stageDir(root, file)}/`;
    // The driver reports a failed upload as a result row, not as an error.
    const rows = await warehouse.query<{ status?: string; message?: string }>(
      `PUT ${warehouse.dialect.quote(`file://${resolve(file)}`)} ${target} AUTO_COMPRESS = TRUE OVERWRITE = TRUE`,
    );
    const failed = rows.find((r) => r.status !== 'UPLOADED' && r.status !== 'SKIPPED');
    if (rows.length === 0 || failed) {
      throw new WarehouseError(`cannot keep ${file} in the stage ${target}: ${failed ? `${failed.status}: ${failed.message}` : 'the driver uploaded nothing'}`);
    }
  }
}

/**
 * GETs a committed batch's landing parts from the stage into the landing folder, where a replay reads
 * them; the paths written, in part order (none when the stage has none, or there is no stage).
 */
export async function fetchStagedLanding(
  warehouse: Warehouse,
  root: string,
  batch: { batchId: string; pipeline: string; resource: string; fetchedAt: Date },
): Promise<string[]> {
  if (!warehouse.capabilities.fileStage) return [];
  const first = landingPath(root, batch.pipeline, batch.resource, batch.fetchedAt, batch.batchId);
  const source = `@${LANDING_STAGE}/${stageDir(root, first)}/`;
  const pattern = `.*part-${escapeRegExp(batch.batchId)}-[0-9]{4}\\.jsonl\\.gz`;
  const download = await mkdtemp(join(tmpdir(), 'dataops-landing-get-'));
  try {
    const rows = await warehouse.query<{ file?: string; status?: string; message?: string }>(
      `GET ${source} ${warehouse.dialect.quote(`file://${download}/`)} PATTERN = ${warehouse.dialect.quote(pattern)}`,
    );
    const failed = rows.find((r) => r.status !== 'DOWNLOADED');
    if (failed) throw new WarehouseError(`cannot fetch ${failed.file ?? 'a landing file'} of batch ${batch.batchId} from the stage ${source}: ${failed.status}: ${failed.message}`);
    const written: string[] = [];
    for (const name of rows.map((r) => basename(r.file ?? '')).sort()) {
      const part = /-(\d{4})\.jsonl\.gz$/.exec(name);
      if (!part) continue;
      const file = landingPath(root, batch.pipeline, batch.resource, batch.fetchedAt, batch.batchId, Number(part[1]));
      await mkdir(dirname(file), { recursive: true });
      // Through a .partial name, as a fetch writes it: a landing file that exists is complete.
      await pipe(createReadStream(join(download, name)), createGunzip(), createWriteStream(`${file}.partial`));
      await rename(`${file}.partial`, file);
      written.push(file);
    }
    return written;
  } finally {
    await rm(download, { recursive: true, force: true });
  }
}

/**
 * A committed batch's landing files, fetched from the stage for a replay whose local files are missing
 * (another machine, or a finished Actions job fetched them). A usage error says where it looked.
 */
export async function fetchBatchLanding(warehouse: Warehouse, root: string, batch: { batchId: string; pipeline: string; resource: string }): Promise<string[]> {
  const where = `no landing file part-${batch.batchId}-*.jsonl under ${join(root, `source=${batch.pipeline}`, `resource=${batch.resource}`)}`;
  if (!warehouse.capabilities.fileStage) throw new UsageError(`${where}: a batch can be replayed only from the files it was fetched into, which are kept for bronze.copy_window`);
  const [committed] = await warehouse.query<{ fetched_at: string }>(`SELECT fetched_at FROM meta.batches WHERE batch_id = ${warehouse.dialect.quote(batch.batchId)}`);
  if (!committed) throw new UsageError(`${where}, and the batch was never committed, so the stage @${LANDING_STAGE} does not have it either`);
  const files = await fetchStagedLanding(warehouse, root, { ...batch, fetchedAt: new Date(committed.fetched_at) });
  if (files.length === 0) throw new UsageError(`${where}, nor in the stage @${LANDING_STAGE} (kept for bronze.copy_window, then removed)`);
  return files;
}

/**
 * Removes a pipeline's staged days that ended before `before`, as pruneLanding does to the folder.
 * Returns the stage folders removed.
 */
export async function pruneStagedLanding(warehouse: Warehouse, pipeline: string, before: Date): Promise<string[]> {
  if (!warehouse.capabilities.fileStage) return [];
  const firstKept = before.toISOString().slice(0, 10);
  // The whole stage: bounded by the copy window, and LIST of a path is not where every emulator goes.
  const listed = await warehouse.query<{ name: string }>(`LIST @${LANDING_STAGE}`);
  const days = new Set<string>();
  for (const { name } of listed) {
    // <stage>/<pipeline>/<resource>/<day>/<hour>/<file>: a named stage's files are listed after its name.
    const [owner, resource, day] = name.split('/').slice(-5);
    if (owner === pipeline && /^\w+$/.test(resource) && /^\d{4}-\d{2}-\d{2}$/.test(day) && day < firstKept) days.add(`${pipeline}/${resource}/${day}`);
  }
  for (const day of days) await warehouse.query(`REMOVE @${LANDING_STAGE}/${day}/`);
  return [...days].sort();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
