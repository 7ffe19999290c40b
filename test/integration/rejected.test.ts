// The rejected-rows explorer over a real run of the demo on DuckDB: an index of every table with rejected
// rows kept, a page per table with each reason's count and newest records (bounded, newest first) and links
// that resolve; and no customer email from the rejected records appears in clear on any page of the site.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runProject } from '../../src/engine.js';
import { loadProject, type Project } from '../../src/project.js';
import { buildSite } from '../../src/site/build.js';
import { readSiteInput, type SiteInput } from '../../src/site/input.js';
import { pagePaths } from '../../src/site/links.js';
import { readRejectedExplorer } from '../../src/site/rejected-input.js';
import { demoProject, withDatabase, type DemoProject } from '../helpers/project.js';

const ANCHOR = new Date('2026-11-20T12:30:00Z');
let demo: DemoProject;
let project: Project;
let input: SiteInput;
let siteDir: string;
/** Every file of the built site by its path from the site root. */
let pages: Map<string, string>;
/** meta.rejected as stored. */
let stored: Array<{ table_name: string; reasons: string; record: string | null; rejected_at: string }>;

beforeAll(async () => {
  demo = await demoProject(ANCHOR);
  expect((await runProject(demo.settings, { now: ANCHOR })).ok).toBe(true);
  project = await loadProject(demo.dir, demo.settings.env);
  input = await withDatabase(demo.settings, (w) => readSiteInput(w, project));
  stored = await withDatabase(demo.settings, (w) => w.query(`SELECT table_name, reasons, record, rejected_at FROM meta.rejected`));
  siteDir = join(demo.dir, '.dataops', 'site');
  await buildSite(input, siteDir);
  const files = (await readdir(siteDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  pages = new Map(await Promise.all(files.map(async (e) => [relative(siteDir, join(e.parentPath, e.name)), await readFile(join(e.parentPath, e.name), 'utf8')] as const)));
}, 180_000);

afterAll(async () => {
  await demo?.close();
});

describe('the rejected-rows explorer', () => {
  test('counts by table and reason equal meta.rejected\'s (a row with two reasons under each)', () => {
    const expected = new Map<string, number>();
    const totals = new Map<string, number>();
    for (const row of stored) {
      totals.set(row.table_name, (totals.get(row.table_name) ?? 0) + 1);
      for (const reason of row.reasons.split(',')) expected.set(`${row.table_name} ${reason}`, (expected.get(`${row.table_name} ${reason}`) ?? 0) + 1);
    }
    const tables = input.rejected!.tables;
    // The demo's dirt is rejected in several tables and for several reasons.
    expect(tables.length).toBeGreaterThanOrEqual(3);
    expect(expected.size).toBeGreaterThanOrEqual(5);
    expect(new Map(tables.map((t) => [t.table, t.rows]))).toEqual(totals);
    expect(new Map(tables.flatMap((t) => t.reasons.map((r) => [`${t.table} ${r.reason}`, r.rows])))).toEqual(expected);
    expect(tables.map((t) => t.pipeline)).toEqual(tables.map((t) => project.pipelines.find((p) => p.silver.some((s) => `silver.${s.name}` === t.table) || t.table.startsWith(`bronze.${p.name}_`))!.name));
  });

  test.each([1, 2, 5])('samples: at most %i per reason, the newest first, each holding its reason', async (perReason) => {
    const explorer = await withDatabase(demo.settings, (w) => readRejectedExplorer(w, project.pipelines, { samplesPerReason: perReason }));
    let shown = 0;
    for (const table of explorer.tables) {
      for (const reason of table.reasons) {
        const samples = table.samples.get(reason.reason) ?? [];
        expect(samples.length, `${table.table} ${reason.reason}`).toBe(Math.min(perReason, reason.rows));
        expect(samples.every((s) => s.reasons.includes(reason.reason))).toBe(true);
        expect(samples[0].rejected_at).toBe(reason.newest_at);
        const times = samples.map((s) => s.rejected_at);
        expect(times).toEqual([...times].sort().reverse());
        expect(new Set(samples.map((s) => `${s.batch_id} ${s.record_hash} ${s.element_index}`)).size).toBe(samples.length);
        shown += samples.length;
      }
    }
    expect(shown).toBeGreaterThan(0);
  });

  test('the index lists every table with its count and links to its page; each table page has each reason and its samples', () => {
    const index = pages.get(pagePaths.rejected)!;
    for (const table of input.rejected!.tables) {
      expect(index).toContain(`href="${encodeURIComponent(`${table.table}.html`)}"`);
      const page = pages.get(pagePaths.rejectedTable(table.table));
      expect(page, table.table).toBeDefined();
      for (const [i, reason] of table.reasons.entries()) {
        expect(page).toContain(`<h2 id="reason-${i + 1}">${reason.reason}</h2>`);
        expect(page!.split(`aria-label="${reason.reason}, record `).length - 1).toBe(Math.min(5, reason.rows));
      }
    }
    expect(pages.get(pagePaths.rejectedTable('silver.customers'))).toMatch(/pattern_mismatch:email.*The value for email does not match the column(&#39;|')s pattern/s);
  });

  test('the nav, each pipeline page\'s rejected section and each table page link to the explorer', () => {
    expect(pages.get('index.html')).toMatch(/>Tables<\/a><a href="rejected\/index.html">Rejected<\/a>/);
    const customers = pages.get(pagePaths.pipeline('catalog'))!;
    expect(customers).toContain('href="../rejected/silver.customers.html"');
    expect(customers).toContain('href="../rejected/index.html">All rejected rows');
    for (const table of input.rejected!.tables.filter((t) => t.table.startsWith('silver.'))) {
      expect(pages.get(pagePaths.table(table.table))).toContain(`href="../rejected/${table.table}.html">by reason, with sample records`);
    }
  });

  test('every link of the explorer\'s pages resolves to a file of the site, and each #fragment to an id on its page', () => {
    const explorerPages = [...pages.keys()].filter((p) => p.startsWith('rejected/'));
    expect(explorerPages.length).toBe(input.rejected!.tables.length + 1);
    let runLinks = 0;
    for (const page of explorerPages) {
      for (const [, href] of pages.get(page)!.matchAll(/href="([^"]*)"/g)) {
        const [file, fragment] = href.split('#');
        const target = file === '' ? page : relative(siteDir, resolve(siteDir, dirname(page), decodeURIComponent(file)));
        expect(existsSync(join(siteDir, target)), `${page} -> ${href}`).toBe(true);
        if (fragment) expect(pages.get(target), `${page} -> ${href}`).toContain(`id="${fragment}"`);
        if (target.startsWith('runs/')) runLinks++;
      }
    }
    expect(runLinks).toBeGreaterThan(0);
  });
});

describe('sensitive columns are masked', () => {
  test('no email of the rejected records appears in clear on any page; their masked form does', () => {
    // The values the demo's sensitive columns hold in the rejected records: customers' email, a sale's customer.email.
    const emails = new Set<string>();
    for (const row of stored) {
      let record: { email?: unknown; customer?: { email?: unknown } };
      try {
        record = JSON.parse(row.record ?? '');
      } catch {
        continue;
      }
      for (const value of [record?.email, record?.customer?.email]) if (typeof value === 'string' && value.trim()) emails.add(value.trim().toLowerCase());
    }
    expect(emails.size).toBeGreaterThanOrEqual(5);
    expect([...emails].some((e) => !e.includes('@'))).toBe(true);
    const leaks: string[] = [];
    for (const [page, html] of pages) {
      const text = html.toLowerCase();
      for (const email of emails) if (text.includes(email)) leaks.push(`${page}: ${email}`);
    }
    expect(leaks).toEqual([]);
    expect(pages.get(pagePaths.rejectedTable('silver.customers'))).toContain('&quot;email&quot;: &quot;••••@example.com&quot;');
    // The catalog says which columns are sensitive and how they are shown.
    expect(pages.get(pagePaths.table('silver.customers'))).toMatch(/<code>email<\/code>.*?<span class="badge warn">sensitive<\/span> <span class="note">shown masked \(partial\)<\/span>/s);
    expect(input.catalog!.find((t) => t.name === 'silver.transactions')!.columns.find((c) => c.name === 'customer_email')!.mask).toBe('partial');
  });
});
