// The report when there is no warehouse state to report on: the DuckDB file does not exist (no run has
// saved it yet, or GitHub evicted the Actions cache that carries it between runs). The site says so
// plainly, with what to do, instead of an empty report (or the demo's data) that looks like the real one.
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { escapeHtml } from './format.js';

export interface MissingState {
  /** The database file that was not there, as the user knows it (relative to the project). */
  database: string;
  generatedAt?: Date;
}

/** Writes the one-page site into `outDir`, replacing what was there: an older report must not pass for a current one. */
export async function buildNoStateSite(outDir: string, missing: MissingState): Promise<{ indexPath: string }> {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(path.join(parent, `.${path.basename(target)}.building-`));
  try {
    await writeFile(path.join(staging, 'index.html'), renderNoStatePage(missing));
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return { indexPath: path.join(target, 'index.html') };
}

/** The same news for the job summary. */
export function renderNoStateSummary(missing: MissingState): string {
  return [
    '## ⚠️ No warehouse state to report',
    '',
    `The database file \`${missing.database}\` does not exist, so there is nothing to report on. Either no Ingest run has saved`,
    'it yet, or GitHub evicted the Actions cache that keeps it between runs (caches unused for 7 days, or past the',
    "repository's cache size limit). Its incremental cursors and run history are gone with it: the next run loads each",
    "source from its `initial` value. Run the **Ingest** workflow (`pipelines: all`); the report is built again after it.",
    '',
  ].join('\n');
}

export function renderNoStatePage(missing: MissingState): string {
  const generatedAt = (missing.generatedAt ?? new Date()).toISOString();
  const database = `<code>${escapeHtml(missing.database)}</code>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>No warehouse state to report</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>No warehouse state to report</h1>
<p class="lead">There is no report here, because the warehouse this site is built from holds nothing: the
database file ${database} did not exist when the site was built. Nothing on this page is data.</p>

<h2>What happened</h2>
<ul>
<li>No Ingest run has saved the file yet (a new repository), or</li>
<li>GitHub evicted it from the Actions cache, where the workflows keep it between runs. GitHub deletes caches
that have not been used for 7 days, and the least recently used ones once the repository's cache storage
limit is reached.</li>
</ul>
<p>The incremental cursors and the run history were in that file and are gone with it: the next run loads each
source again from the <code>initial</code> value of its incremental cursor.</p>

<h2>What to do</h2>
<ol>
<li>Run the Ingest workflow: <strong>Actions → Ingest → Run workflow</strong>, with <code>pipelines: all</code>.
This site is built again when it finishes.</li>
<li>On your own machine: <code>npx dataops run</code>, then <code>npx dataops report</code>.</li>
</ol>

<h2>Where the state lives</h2>
<p>On DuckDB (the default) the whole warehouse, with its cursors and history, is one file, which the workflows
hand from run to run through the Actions cache. A cache is not storage: to keep state that an eviction cannot
lose, run production on Snowflake, where it lives in the warehouse itself (the <code>meta</code> schema). See
<code>docs/setup.md</code> in the repository.</p>
</main>
<footer>Generated <time datetime="${generatedAt}">${generatedAt}</time></footer>
</body>
</html>
`;
}

const STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45;color:#1f2328;background:#fff}
body{margin:0 auto;max-width:48rem;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:2rem 0 .5rem}
.lead{background:#fff8c5;border:1px solid #d4a72c;padding:.75rem;border-radius:.375rem}
code{background:#f6f8fa;padding:0 .25rem;border-radius:.25rem}
footer{margin-top:3rem;color:#57606a;font-size:.85rem}
`;
