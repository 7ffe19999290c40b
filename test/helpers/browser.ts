// The report site in a real browser: Debian's chromium driven by playwright-core (which never downloads a
// browser of its own), the demo's site built by the real CLI, and what a reader's browser would see of
// each page: errors, requests, links, charts, accessibility (axe-core) and the layout at a phone's width.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { BIN, ensureBuild } from './build.js';
import { copyProject, REPO } from './project.js';

/** Debian's chromium here and in .ci/run; CHROMIUM_PATH names another build of Chromium (GitHub's runners have Google Chrome). */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');

/**
 * Why the browser tests cannot run here, or undefined when they can. Only a machine that is not CI may
 * skip: in CI (CI set, as GitHub's runners set it) a missing chromium is a failure, never a quiet pass.
 */
export function chromiumMissing(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `${CHROMIUM} is missing (install it: apt-get install chromium, as .ci/run does)`;
  if (env.CI) throw new Error(`the browser tests need Chromium in CI: ${reason}`);
  return reason;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export interface DemoSite {
  /** The built site's folder (index.html at its top). */
  dir: string;
  close(): Promise<void>;
}

/** `dataops demo` (what `npm start` runs) in a throwaway copy of the project, with its report pages. */
export async function buildDemoSite(): Promise<DemoSite> {
  await ensureBuild();
  const project = await copyProject();
  const close = () => rm(project, { recursive: true, force: true });
  try {
    if (existsSync(join(REPO, 'reports'))) await cp(join(REPO, 'reports'), join(project, 'reports'), { recursive: true });
    const env = { ...process.env, GITHUB_STEP_SUMMARY: '' };
    await promisify(execFile)('node', [BIN, '-C', project, 'demo'], { env, maxBuffer: 64 << 20, timeout: 60_000 });
    return { dir: join(project, '.dataops', 'site'), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Every HTML page of a site, as paths relative to its folder with forward slashes, sorted. */
export async function sitePages(siteDir: string): Promise<string[]> {
  const entries = await readdir(siteDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.html'))
    .map((entry) => relative(siteDir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** A browser context that lets nothing reach the network; each page records its own requests (openPage). */
export async function offlineContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: DESKTOP });
  // Recorded by openPage and failed by the test; aborted here so a stray fetch never leaves the machine.
  await context.route(/^(https?|wss?|ftp):/i, (route) => route.abort('blockedbyclient'));
  return context;
}

/** What a page may load: itself and other local files, and data: URLs inside it. */
export function leavesFileUrl(url: string): boolean {
  return !/^(file|data|about|blob):/i.test(url);
}

export interface PageProblems {
  /** Requests that leave file:// (data: URLs are part of the page). */
  externalRequests: string[];
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
}

/** Opens a page and collects, while it stays open, its requests off file://, console errors, uncaught errors and failed loads. */
export async function openPage(page: Page, file: string): Promise<PageProblems> {
  const problems: PageProblems = { externalRequests: [], consoleErrors: [], pageErrors: [], failedRequests: [] };
  page.on('request', (request) => {
    // Once each: Chromium may ask twice for one stylesheet (its preload scanner, then the parser).
    if (leavesFileUrl(request.url()) && !problems.externalRequests.includes(request.url())) problems.externalRequests.push(request.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('requestfailed', (request) => {
    // One that left file:// is already listed above (and was aborted on purpose).
    if (!leavesFileUrl(request.url())) problems.failedRequests.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`);
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 15_000 });
  return problems;
}

export interface PageLink {
  href: string;
  /** The file the link points to, or undefined when it is not a local file. */
  file?: string;
  fragment?: string;
}

/** Every relative a[href] of the open page, resolved against it (absolute http(s), mailto: etc. are not internal). */
export async function internalLinks(page: Page): Promise<PageLink[]> {
  const hrefs = await page.$$eval('a[href]', (anchors) => anchors.map((a) => a.getAttribute('href') ?? ''));
  return hrefs
    .filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('//'))
    .map((href) => {
      const url = new URL(href, page.url());
      const fragment = url.hash ? decodeURIComponent(url.hash.slice(1)) : undefined;
      if (url.protocol !== 'file:') return { href, fragment };
      let file = fileURLToPath(url);
      // A folder link opens its index.html on Pages; from file:// it would show a listing, so require one.
      if (href === '' || href.startsWith('#')) file = fileURLToPath(page.url());
      else if (url.pathname.endsWith('/')) file = join(file, 'index.html');
      return { href, file, fragment };
    });
}

/** The ids in an HTML file, as the browser parses it (cached: many pages link to the same few). */
export function idReader(context: BrowserContext): (file: string) => Promise<Set<string>> {
  const cache = new Map<string, Promise<Set<string>>>();
  return (file) => {
    let ids = cache.get(file);
    if (!ids) {
      ids = (async () => {
        const page = await context.newPage();
        try {
          await page.goto(pathToFileURL(file).href, { waitUntil: 'domcontentloaded', timeout: 15_000 });
          return new Set(await page.$$eval('[id], a[name]', (els) => els.map((el) => el.id || el.getAttribute('name') || '')));
        } finally {
          await page.close();
        }
      })();
      cache.set(file, ids);
    }
    return ids;
  };
}

/**
 * Links that leave the site's folder (Pages publishes only that folder), whose file does not exist, or whose
 * #fragment names no element on the page it points to.
 */
export async function brokenLinks(links: readonly PageLink[], siteDir: string, idsOf: (file: string) => Promise<Set<string>>): Promise<string[]> {
  const broken: string[] = [];
  for (const link of links) {
    if (!link.file) broken.push(`${link.href}: not a file link`);
    else if (relative(siteDir, link.file).startsWith('..')) broken.push(`${link.href}: outside the site's folder`);
    else if (!existsSync(link.file)) broken.push(`${link.href}: ${link.file} does not exist`);
    else if (link.fragment && link.file.endsWith('.html') && !(await idsOf(link.file)).has(link.fragment)) {
      broken.push(`${link.href}: no element with id "${link.fragment}"`);
    }
  }
  return broken;
}

/**
 * Charts (`figure svg[role=img]`) that show no data: no accessible name, not drawn, or no data mark.
 * Data marks are the elements the chart module tags class="mark" (src/render/chart-svg.ts: ECharts' series
 * shapes; its axes, grid and legend are untagged), drawn with some size. A chart without any passes only
 * when its accessible text says "no data" (the chart module's figure for an empty result): it tells every
 * reader so, while a chart that lost its marks still describes the data it should show.
 */
export async function emptyCharts(page: Page): Promise<string[]> {
  return page.$$eval('figure svg[role="img"]', (svgs) =>
    svgs.flatMap((svg, index) => {
      const textOf = (attribute: string) => (svg.getAttribute(attribute) ?? '').split(/\s+/).filter(Boolean)
        .map((id) => svg.ownerDocument.getElementById(id)?.textContent ?? '').join(' ');
      const name = (textOf('aria-labelledby') || svg.getAttribute('aria-label') || svg.querySelector(':scope > title')?.textContent || '').trim();
      const accessible = `${name} ${textOf('aria-describedby')} ${svg.querySelector(':scope > desc')?.textContent ?? ''}`;
      const title = svg.querySelector(':scope > title')?.textContent?.trim() || name;
      const label = `chart ${index + 1}${title ? ` "${title}"` : ''}`;
      const problems: string[] = [];
      if (!name) problems.push(`${label}: no accessible name (<title>, aria-labelledby or aria-label)`);
      const box = svg.getBoundingClientRect();
      if (box.width < 1 || box.height < 1) problems.push(`${label}: drawn ${box.width}x${box.height}`);
      const marks = [...svg.querySelectorAll('.mark')].filter((mark) => {
        const own = mark.getBoundingClientRect();
        return own.width > 0 || own.height > 0;
      });
      if (marks.length === 0 && !/\bno data\b/i.test(accessible)) {
        problems.push(`${label}: no data marks (class="mark") and its text does not say "no data"`);
      }
      return problems;
    }),
  );
}

/**
 * Words on a chart that overlap, as the browser draws them (its fonts, not the ones the chart was laid out
 * with): two texts, or a text and a legend swatch or tick (a small shape that is not a data mark). Turned
 * labels are left out: their boxes overlap while their letters do not.
 */
export async function overlappingChartText(page: Page): Promise<string[]> {
  return page.$$eval('figure svg[role="img"]', (svgs) =>
    svgs.flatMap((svg, index) => {
      const title = svg.querySelector(':scope > title')?.textContent?.trim();
      const label = `chart ${index + 1}${title ? ` "${title}"` : ''}`;
      const turned = (el: SVGGraphicsElement) => {
        const m = el.getCTM();
        return !!m && (Math.abs(m.b) > 1e-3 || Math.abs(m.c) > 1e-3);
      };
      const texts = [...svg.querySelectorAll<SVGTextElement>('text')]
        .filter((t) => t.textContent?.trim() && !turned(t))
        .map((t) => ({ name: `"${t.textContent!.trim()}"`, box: t.getBoundingClientRect() }));
      const shapes = [...svg.querySelectorAll<SVGGraphicsElement>('path, rect, circle, line')]
        .filter((el) => !el.classList.contains('mark') && !el.closest('text'))
        .map((el) => ({ name: `a ${el.tagName}`, box: el.getBoundingClientRect() }))
        .filter(({ box }) => box.width > 0 && box.height > 0 && box.width <= 30 && box.height <= 20);
      const overlap = (a: DOMRect, b: DOMRect) =>
        Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
      const problems: string[] = [];
      texts.forEach((a, i) => {
        for (const b of [...texts.slice(i + 1), ...shapes]) if (overlap(a.box, b.box)) problems.push(`${label}: ${a.name} overlaps ${b.name}`);
      });
      return problems;
    }),
  );
}

const AXE_SOURCE = readFile(join(dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the open page, one line each with the elements at fault. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: await AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.join('; ')})`);
}

/**
 * At the page's current width: whether the page scrolls sideways, and tables that are not readable.
 * A table is readable when it fits the viewport or sits in a container that scrolls sideways on its own
 * and itself fits; when no cell's text is clipped; and when its text is at least 12px.
 */
export async function phoneLayoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const viewport = document.documentElement.clientWidth;
    const scrollWidth = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
    if (scrollWidth > viewport) problems.push(`the page scrolls sideways: ${scrollWidth}px wide in a ${viewport}px viewport`);
    const describe = (table: HTMLTableElement, index: number) => `table ${index + 1}${table.caption ? ` "${table.caption.textContent?.trim()}"` : ''}`;
    document.querySelectorAll('table').forEach((table, index) => {
      const box = table.getBoundingClientRect();
      if (box.left >= -0.5 && box.right <= viewport + 0.5) {
        // fits as it is
      } else {
        let scroller: HTMLElement | null = table.parentElement;
        while (scroller && !['auto', 'scroll'].includes(getComputedStyle(scroller).overflowX)) scroller = scroller.parentElement;
        const own = scroller?.getBoundingClientRect();
        if (!scroller || scroller === document.body || scroller === document.documentElement || !own) {
          problems.push(`${describe(table, index)} is ${Math.round(box.width)}px wide and has no container that scrolls it sideways (e.g. <div class="scroll">)`);
        } else if (own.left < -0.5 || own.right > viewport + 0.5) {
          problems.push(`${describe(table, index)}: its scrolling container reaches ${Math.round(own.left)}..${Math.round(own.right)}px, outside the ${viewport}px viewport`);
        }
      }
      for (const cell of table.querySelectorAll<HTMLElement>('th, td')) {
        const style = getComputedStyle(cell);
        if (parseFloat(style.fontSize) < 12) {
          problems.push(`${describe(table, index)}: text of ${style.fontSize} in "${cell.textContent?.trim().slice(0, 40)}"`);
          break;
        }
        if (cell.scrollWidth > cell.clientWidth + 1) {
          problems.push(`${describe(table, index)}: the text of "${cell.textContent?.trim().slice(0, 40)}" is cut off`);
          break;
        }
      }
    });
    return problems;
  });
}

/** A full-page screenshot named by the page's path and the width: pipelines/x.html -> pipelines/x-390.png. */
export async function screenshot(page: Page, pagePath: string, width: number): Promise<void> {
  const file = join(SCREENSHOTS, `${pagePath.replace(/\.html$/, '')}-${width}.png`);
  await mkdir(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true, timeout: 15_000 });
}

export interface PageFindings extends PageProblems {
  brokenLinks: string[];
  emptyCharts: string[];
  /** Texts of a chart that overlap each other or a legend swatch, at the desktop width. */
  chartText: string[];
  axe: string[];
  /** At the phone's width (390 px). */
  phoneLayout: string[];
}

export const NO_FINDINGS: PageFindings = {
  externalRequests: [], consoleErrors: [], pageErrors: [], failedRequests: [], brokenLinks: [], emptyCharts: [], chartText: [], axe: [], phoneLayout: [],
};

/**
 * Every check on one page of a site (its path from the site's folder, with forward slashes): opened at the
 * desktop width (links, charts), then narrowed to a phone's (layout, axe). With `screenshots` it also writes
 * a screenshot at each width.
 */
export async function inspectPage(
  context: BrowserContext,
  site: { dir: string; idsOf: (file: string) => Promise<Set<string>> },
  pagePath: string,
  options: { screenshots?: boolean } = {},
): Promise<PageFindings> {
  const page = await context.newPage();
  try {
    const problems = await openPage(page, join(site.dir, ...pagePath.split('/')));
    const links = await brokenLinks(await internalLinks(page), site.dir, site.idsOf);
    const charts = await emptyCharts(page);
    const chartText = await overlappingChartText(page);
    if (options.screenshots) await screenshot(page, pagePath, DESKTOP.width);
    await page.setViewportSize(PHONE);
    const phoneLayout = await phoneLayoutProblems(page);
    if (options.screenshots) await screenshot(page, pagePath, PHONE.width);
    // Last: axe adds its script to the page.
    const axe = await seriousAxeViolations(page);
    return { ...problems, brokenLinks: links, emptyCharts: charts, chartText, axe, phoneLayout };
  } finally {
    await page.close();
  }
}

/** Runs at most `slots` of the given tasks at once (pages share one browser on a small machine). */
export function limiter(slots: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
