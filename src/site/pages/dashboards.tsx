// The report pages of reports/**/*.md (src/reports): an index by section, and each page's own body, which
// src/reports rendered from Markdown with raw HTML off and every value escaped.
import type { VNode } from 'preact';

import type { ReportPage } from '../../reports/index.js';
import { Badge, Link, RawHtml, Section } from '../components.js';

export function DashboardsIndex({ pages }: { pages: readonly ReportPage[] }): VNode {
  const sections = new Map<string, ReportPage[]>();
  for (const page of pages) sections.set(page.section, [...(sections.get(page.section) ?? []), page]);
  const list = (items: readonly ReportPage[]) => (
    <ul>
      {items.map((page) => (
        <li>
          <Link to={page.path}>{page.title}</Link>
          {page.error ? <> <Badge text="could not be built" tone="bad" /></> : null}
          {page.missingTables ? <> <Badge text="no data yet" tone="muted" /></> : null}
        </li>
      ))}
    </ul>
  );
  return (
    <>
      <h1>Dashboards</h1>
      {pages.length === 0 ? <p>No report pages yet: add a Markdown file under <code>reports/</code> (see the README, "Report pages").</p> : null}
      {sections.has('') ? list(sections.get('')!) : null}
      {[...sections].filter(([name]) => name !== '').map(([name, items]) => (
        <Section id={`section-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`} heading={sectionHeading(name)}>{list(items)}</Section>
      ))}
    </>
  );
}

/** A folder's name as a heading: `daily-sales` is "Daily sales", `stores/north` is "Stores / north". */
export function sectionHeading(folder: string): string {
  const words = folder.replace(/[-_]+/g, ' ').replace(/\//g, ' / ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function DashboardPage({ page }: { page: ReportPage }): VNode {
  return <RawHtml html={page.bodyHtml} />;
}
