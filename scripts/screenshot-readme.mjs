// npm run screenshot:readme [page]: builds the demo's site (`dataops demo` in a throwaway copy of the
// project) and writes a 1280 px wide screenshot of one of its pages to docs/images/<page name>.png, taken
// in Debian's chromium (the one the browser tests use). The page defaults to the daily sales dashboard.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
const pagePath = process.argv[2] ?? 'reports/daily-sales.html';
const out = join(root, 'docs', 'images', `${basename(pagePath, '.html')}.png`);

/** A failure with a message for the user (no stack trace); the temporary project is removed either way. */
class ScreenshotError extends Error {}
const fail = (message) => {
  throw new ScreenshotError(message);
};

try {
  await main();
} catch (error) {
  if (!(error instanceof ScreenshotError)) throw error;
  console.error(`screenshot:readme: ${error.message}`);
  process.exitCode = 1;
}

async function main() {
  if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} is missing; install Debian's chromium (apt-get install chromium)`);
  if (!existsSync(join(root, 'build', 'src', 'cli', 'main.js'))) fail('build/ is missing; run `npm run build` first');
  const project = await mkdtemp(join(tmpdir(), 'dataops-screenshot-'));
  try {
    await screenshotDemoPage(project);
  } finally {
    await rm(project, { recursive: true, force: true });
  }
}

async function screenshotDemoPage(project) {
  for (const sub of ['pipelines', 'sql', 'reports']) {
    if (existsSync(join(root, sub))) await cp(join(root, sub), join(project, sub), { recursive: true });
  }
  console.log(`building the demo site in ${project}`);
  try {
    execFileSync(process.execPath, [join(root, 'bin', 'dataops.js'), '-C', project, 'demo'], {
      env: { ...process.env, GITHUB_STEP_SUMMARY: '' },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 120_000,
    });
  } catch (error) {
    fail(`dataops demo failed (${error.status === null ? error.signal : `exit ${error.status}`})`);
  }
  const site = join(project, '.dataops', 'site');
  const file = join(site, ...pagePath.split('/'));
  if (!existsSync(file)) {
    const pages = (await readdir(site, { recursive: true }))
      .filter((name) => name.endsWith('.html'))
      .map((name) => name.split(sep).join('/'))
      .sort();
    fail(`the demo site has no ${pagePath}; its pages: ${pages.join(', ')}`);
  }

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await mkdir(dirname(out), { recursive: true });
    // The first screenful, what a reader sees on opening the page: the whole page is thousands of pixels tall.
    await page.screenshot({ path: out, fullPage: false });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${relative(root, out)} from ${pagePath}`);
}
