// The demo's report site opened in real Chromium, page by page: whatever pages the build writes are
// crawled, so a new page kind is covered without touching this file. Screenshots of each page at 1280
// and 390 px go to test-results/screenshots/ (named by page path) for a person to look at.
// First, the checks themselves are shown to catch what they are for, on small pages made to fail them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  buildDemoSite,
  chromiumMissing,
  idReader,
  inspectPage,
  launchChromium,
  limiter,
  NO_FINDINGS,
  offlineContext,
  SCREENSHOTS,
  sitePages,
  type DemoSite,
  type PageFindings,
} from '../helpers/browser.js';

// Throws in CI, where a missing chromium is a failure; elsewhere the tests skip and say why.
const missing = chromiumMissing();
if (missing) console.warn(`skipping the browser tests: ${missing}`);

const site: DemoSite | undefined = missing ? undefined : await buildDemoSite();
const pages = site ? await sitePages(site.dir) : [];

let browser: Browser;
let context: BrowserContext;
let idsOf: (file: string) => Promise<Set<string>>;
beforeAll(async () => {
  if (missing) return;
  browser = await launchChromium();
  context = await offlineContext(browser);
  idsOf = idReader(context);
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const page = (body: string, head = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>fixture</title>${head}</head><body><main><h1>Fixture</h1>${body}</main></body></html>`;
const wideTable = `<table><caption>wide</caption><thead><tr>${'<th scope="col">a&nbsp;long&nbsp;column&nbsp;heading</th>'.repeat(4)}</tr></thead>
<tbody><tr>${'<td>1</td>'.repeat(4)}</tr></tbody></table>`;
// As the chart module draws them (src/render/chart-svg.ts): axes untagged, data marks class="mark".
const svg = (inner: string, desc = 'Revenue by day, 3 days') => `<figure><figcaption>Revenue by day</figcaption>
<svg role="img" viewBox="0 0 100 50" width="100" height="50" aria-labelledby="c-title" aria-describedby="c-desc"><title id="c-title">Revenue by day</title>
<desc id="c-desc">${desc}</desc><path d="M0 49H100" stroke="#000"/>${inner}</svg></figure>`;

describe.skipIf(missing)('the checks catch what they are for', () => {
  // Each case: a page (plus other files beside it) and what must be found on it; every other finding stays empty.
  const cases: Array<{ name: string; html: string; files?: Record<string, string>; found: Partial<Record<keyof PageFindings, RegExp[]>> }> = [
    { name: 'a clean page with a chart, a scrolling wide table and good links', html: page(`${svg('<path class="mark" d="M0 40L50 10L100 20" fill="none" stroke="#000"/>')}
<div class="scroll" style="overflow-x:auto" tabindex="0" role="region" aria-label="wide">${wideTable}</div><a href="other.html#there">there</a> <a href="#top">top</a><p id="top">x</p>`),
      files: { 'other.html': page('<p id="there">here</p>') }, found: {} },
    { name: 'a console error', html: page('<script>console.error("boom")</script>'), found: { consoleErrors: [/boom/] } },
    { name: 'an uncaught error', html: page('<script>throw new Error("bad script")</script>'), found: { pageErrors: [/bad script/] } },
    { name: 'a request off file://', html: page('', '<link rel="stylesheet" href="https://cdn.example.com/x.css">'), // The blocked load is a console error as well.
      found: { externalRequests: [/^https:\/\/cdn\.example\.com\/x\.css$/], consoleErrors: [/ERR_BLOCKED_BY_CLIENT/] } },
    { name: 'a local file that is missing', html: page('<img src="missing.png" alt="a chart">'), found: { failedRequests: [/missing\.png: net::ERR_FILE_NOT_FOUND$/], consoleErrors: [/ERR_FILE_NOT_FOUND/] } },
    { name: 'a link to a missing page', html: page('<a href="nowhere.html">gone</a>'), found: { brokenLinks: [/^nowhere\.html: .* does not exist$/] } },
    { name: 'a link out of the site folder', html: page('<a href="../outside.html">up</a>'), files: { '../outside.html': page('') },
      found: { brokenLinks: [/^\.\.\/outside\.html: outside the site's folder$/] } },
    { name: 'links to ids that do not exist', html: page('<a href="#nope">x</a> <a href="other.html#gone">y</a>'), files: { 'other.html': page('') },
      found: { brokenLinks: [/^#nope: no element with id "nope"$/, /^other\.html#gone: no element with id "gone"$/] } },
    { name: 'a chart with axes only', html: page(svg('')), found: { emptyCharts: [/^chart 1 "Revenue by day": no data marks/] } },
    { name: 'a chart that says it has no data', html: page(svg('<text x="50" y="25">No data</text>', 'Revenue by day: no data.')), found: {} },
    { name: 'words of a chart that overlap each other or a legend swatch (a turned label may cross another)',
      html: page(svg('<path class="mark" d="M0 40L50 10" stroke="#000"/><text x="2" y="10" font-size="6">North Loop</text><text x="20" y="10" font-size="6">Seaport</text>' +
        '<rect x="60" y="30" width="10" height="8"/><text x="58" y="36" font-size="6">East</text>' +
        '<text x="80" y="20" font-size="6">Flat</text><text x="80" y="20" font-size="6" transform="rotate(45 80 20)">Turned</text>')),
      found: { chartText: [/^chart 1 "Revenue by day": "North Loop" overlaps "Seaport"$/, /^chart 1 "Revenue by day": "East" overlaps a rect$/] } },
    { name: 'a chart with no name', html: page('<figure><svg role="img" width="100" height="50"><rect class="mark" width="10" height="10"/></svg></figure>'),
      found: { emptyCharts: [/^chart 1: no accessible name/], axe: [/svg-img-alt/] } },
    { name: 'an image with no text alternative', html: page('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'), found: { axe: [/^critical image-alt/] } },
    { name: 'a wide table with nothing to scroll it', html: page(wideTable), found: { phoneLayout: [/scrolls sideways/, /no container that scrolls it sideways/] } },
  ];

  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dataops-browser-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test.each(cases)('$name', async ({ name, html, files, found }) => {
    const folder = await mkdtemp(join(dir, 'case-'));
    for (const [file, text] of Object.entries({ ...files, 'index.html': html })) await writeFile(join(folder, file), text);
    const findings = await inspectPage(context, { dir: folder, idsOf: idReader(context) }, 'index.html');
    // Every finding is one the case expects, and every expected finding is there (Chromium may repeat one).
    const unexpected = Object.entries(findings).flatMap(([key, lines]: [string, string[]]) =>
      lines.filter((line) => !(found[key as keyof PageFindings] ?? []).some((pattern) => pattern.test(line))).map((line) => `${key}: ${line}`));
    const absent = Object.entries(found).flatMap(([key, patterns]) =>
      patterns.filter((pattern) => !findings[key as keyof PageFindings].some((line) => pattern.test(line))).map((pattern) => `${key}: ${pattern}`));
    expect({ unexpected, absent }, name).toEqual({ unexpected: [], absent: [] });
  });
});

describe.skipIf(missing)('every page of the demo site in Chromium', () => {
  beforeAll(async () => {
    await rm(SCREENSHOTS, { recursive: true, force: true });
  });

  test('the build wrote the overview and other pages to crawl', () => {
    expect(pages).toContain('index.html');
    expect(pages.length).toBeGreaterThan(1);
  });

  // No console or page error, nothing fetched off file://, links and #fragments resolve, charts have
  // their data marks and no words drawn over each other, no serious or critical axe violation, and at
  // 390 px nothing scrolls sideways.
  // Three pages at a time: axe-core's pass over a page is the slow part, and the machine is small.
  const slot = limiter(3);
  test.concurrent.for(pages)('%s', async (pagePath, { expect }) => {
    const findings = await slot(() => inspectPage(context, { dir: site!.dir, idsOf }, pagePath, { screenshots: true }));
    expect(findings).toEqual(NO_FINDINGS);
  });
});
