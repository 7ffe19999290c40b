// No customer email of the demo appears in clear anywhere people read: the site with its report pages (one
// lists top customers by email), a job summary, and a pull request's comment with a diff that changed
// emails in gold.dim_customer and a check whose failing rows carry them. Searched plain, HTML-escaped,
// URL-encoded and JSON-escaped, and in each output decoded from those encodings.
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { diffProject } from '../../src/diff/project-diff.js';
import type { DiffReport } from '../../src/diff/render.js';
import { runProject } from '../../src/engine.js';
import { renderPrComment } from '../../src/github/pr-comment.js';
import { readMaskerFor } from '../../src/governance/read-masking.js';
import { loadProject, type Project } from '../../src/project.js';
import { escapeHtml } from '../../src/report/format.js';
import { renderSummaryMarkdown } from '../../src/report/summary.js';
import { buildSite } from '../../src/site/build.js';
import { readSiteInput } from '../../src/site/input.js';
import { pagePaths } from '../../src/site/links.js';
import { readStatus } from '../../src/state/status.js';
import { demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
let demo: DemoProject;
/** Every output people read, by a name for the message. */
const outputs = new Map<string, string>();
/** Every email the demo's data holds (silver and gold), lower-cased. */
let emails: string[];
let diff: DiffReport;
let project: Project;

beforeAll(async () => {
  demo = await demoProject(ANCHOR);
  // A check whose failing rows are customers with their email: its samples reach the summary and the comment.
  await writeFile(join(demo.dir, 'sql/checks/customer_emails.sql'), '-- Customers with an email, as a check that always has failing rows.\n-- table: gold.dim_customer\n-- pipeline: catalog\n-- warn_if: > 0\nSELECT customer_key, email, full_name FROM gold.dim_customer WHERE email IS NOT NULL\n');
  const run = await runProject(demo.settings, { now: ANCHOR });
  expect(run.ok).toBe(true);
  project = await loadProject(demo.dir, demo.settings.env);

  // Production is this build; the pull request's copy then changes some emails (upper case) and drops a customer.
  const base = join(demo.dir, '.dataops', 'production.duckdb');
  await copyFile(demo.settings.database, base);
  await withDatabase(demo.settings, (w) => w.query(`UPDATE gold.dim_customer SET email = upper(email) WHERE customer_key IN (SELECT customer_key FROM gold.dim_customer WHERE email IS NOT NULL ORDER BY customer_key LIMIT 3);
    DELETE FROM gold.dim_customer WHERE customer_key = (SELECT max(customer_key) FROM gold.dim_customer)`));
  diff = await diffProject(demo.settings, { base, tables: ['gold.dim_customer'], modelKeys: { 'gold.dim_customer': ['customer_key'] } });

  await withDatabase(demo.settings, async (w) => {
    const found = await w.query<{ email: string }>(`SELECT DISTINCT lower(trim(email)) AS email FROM silver.customers WHERE email IS NOT NULL
      UNION SELECT DISTINCT lower(trim(customer_email)) FROM silver.transactions WHERE customer_email IS NOT NULL`);
    emails = found.map((r) => r.email).filter((e) => e.length >= 6);
    const status = await readStatus(w, project, { now: ANCHOR });
    outputs.set('job summary', renderSummaryMarkdown(status));
    outputs.set('pull request comment', renderPrComment({ report: status, diagnostics: [], diff }));
    outputs.set('diff --json', JSON.stringify(diff));
    const siteDir = join(demo.dir, '.dataops', 'site');
    await buildSite(await readSiteInput(w, project), siteDir);
    for (const e of (await readdir(siteDir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile())) {
      outputs.set(`site ${relative(siteDir, join(e.parentPath, e.name))}`, await readFile(join(e.parentPath, e.name), 'utf8'));
    }
  });
}, 300_000);
afterAll(() => demo?.close());

/** The forms a value may take in a page, a Markdown comment or a JSON file. */
const encodings = (email: string): string[] => [email, escapeHtml(email), encodeURIComponent(email), JSON.stringify(email).slice(1, -1), email.replace(/@/g, '&#64;'), email.replace(/@/g, '\\u0040')];

/** The text with HTML entities, percent-escapes and JSON escapes undone, so an encoded email reads plain. */
function decoded(text: string): string {
  const entities = text.replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))).replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const percent = entities.replace(/(%[0-9a-f]{2})+/gi, (m) => { try { return decodeURIComponent(m); } catch { return m; } });
  return percent.replace(/\\u([0-9a-f]{4})/gi, (_, n) => String.fromCharCode(parseInt(n, 16)));
}

describe('sensitive columns are masked everywhere people read', () => {
  test('the demo holds emails, and every output was read', () => {
    expect(emails.length).toBeGreaterThan(20);
    expect([...outputs.keys()].filter((k) => k.startsWith('site ')).length).toBeGreaterThan(10);
    expect(diff.tables[0].samples.length).toBeGreaterThan(0);
  });

  test('no email appears in clear, in any encoding, in any output', () => {
    const leaks: string[] = [];
    for (const [name, raw] of outputs) {
      const texts = [raw.toLowerCase(), decoded(raw).toLowerCase()];
      for (const email of emails) {
        if (encodings(email).some((form) => texts.some((t) => t.includes(form.toLowerCase())))) leaks.push(`${name}: ${email}`);
      }
    }
    expect(leaks.slice(0, 10)).toEqual([]);
  });

  test('the masked forms are shown where the emails were', () => {
    const customers = outputs.get('site reports/customers.html')!;
    expect(customers.includes('The ten customers with the most net revenue'), 'the top customers table').toBe(true);
    expect(/<td[^>]*>••••@example\.(com|org|net)<\/td>/.test(customers), 'a masked email in a cell').toBe(true);
    // The diff saw the change of case (clear values compared) and shows it masked.
    const changed = diff.tables[0].samples.filter((s) => s.kind === 'changed');
    expect(changed.length).toBe(3);
    for (const s of changed) {
      expect(s.changes.find((c) => c.column === 'email')).toEqual({ column: 'email', before: expect.stringMatching(/^••••@[a-z.]+$/), after: expect.stringMatching(/^••••@[A-Z.]+$/) });
    }
    expect(/••••@example\./.test(outputs.get('job summary')!), 'a masked email in a failing-row sample').toBe(true);
    // The catalog says which model columns are masked: declared (dim_customer) or inherited by name.
    const dim = outputs.get(`site ${pagePaths.table('gold.dim_customer')}`)!;
    expect(/<code>email<\/code>.*?<span class="badge warn">sensitive<\/span> <span class="note">shown masked \(partial\)<\/span>/s.test(dim), 'email marked sensitive in the catalog').toBe(true);
  });

  test('a page that reads bronze sees the raw records of a resource with sensitive columns redacted whole', async () => {
    const query = 'SELECT _record FROM bronze.catalog_customers ORDER BY _record_hash LIMIT 3';
    await withDatabase(demo.settings, async (w) => {
      expect((await w.query<{ _record: string }>(query)).map((r) => r._record)).toEqual(expect.arrayContaining([expect.stringContaining('@')]));
      expect(await w.query(await readMaskerFor(w, project)(query))).toEqual([{ _record: '••••' }, { _record: '••••' }, { _record: '••••' }]);
    });
  });
});
