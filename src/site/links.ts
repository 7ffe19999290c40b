// Where each page of the site lives, and links between pages as relative paths, so the site works from
// any folder: GitHub Pages under /<repo>/, a downloaded artifact, or file://.
import path from 'node:path/posix';

/**
 * A name as one safe file-name segment. Pipeline and table names are validated identifiers, but the site
 * must never write outside its folder even for a name it did not expect (a run id, a report parameter), so
 * anything else is percent-encoded.
 */
export function fileSegment(name: string): string {
  return encodeURIComponent(name);
}

export const pagePaths = {
  overview: 'index.html',
  pipeline: (name: string) => `pipelines/${fileSegment(name)}.html`,
  tables: 'tables/index.html',
  /** A table's catalog page, by its schema-qualified name: tables/silver.transactions.html. */
  table: (name: string) => `tables/${fileSegment(name)}.html`,
  lineage: 'lineage.html',
  /** The index of report pages; each report page has its own path, reports/<section>/<name>.html (src/reports). */
  dashboards: 'reports/index.html',
  /** A page per run (src/site/pages/run.tsx), for the runs the history lists one by one. */
  run: (runId: string) => `runs/${fileSegment(runId)}.html`,
} as const;

/** The href that leads from the page at `from` to the page (or file) at `to`, both relative to the site root. */
export function relativeHref(from: string, to: string): string {
  const [target, fragment] = splitFragment(to);
  const relative = path.relative(path.dirname(from), target) || path.basename(target);
  // A path segment may hold '%' (fileSegment's encoding): the href must encode it again, as a browser
  // decodes an href once before looking for the file.
  const href = relative.split('/').map((segment) => (segment === '..' ? segment : encodeURIComponent(segment))).join('/');
  return fragment === undefined ? href : `${href}#${fragment}`;
}

function splitFragment(to: string): [string, string | undefined] {
  const hash = to.indexOf('#');
  return hash < 0 ? [to, undefined] : [to.slice(0, hash), to.slice(hash + 1)];
}

