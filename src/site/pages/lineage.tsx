// The lineage page: the drawing (every node a link to its page) and, as its text alternative, the same
// graph as lists of what each node reads and feeds.
import type { VNode } from 'preact';

import { Section } from '../components.js';
import { pagePaths, relativeHref } from '../links.js';
import { renderLineageList, renderLineageSvg, type LineageGraph, type LineageLinks } from '../lineage.js';

/** Links as the lineage page reaches each page: through the site's own page paths. */
export const LINEAGE_PAGE_LINKS: LineageLinks = {
  table: (name) => relativeHref(pagePaths.lineage, pagePaths.table(name)),
  pipeline: (name) => relativeHref(pagePaths.lineage, pagePaths.pipeline(name)),
  report: (path) => relativeHref(pagePaths.lineage, path),
};

export function LineagePage({ lineage }: { lineage: LineageGraph | undefined }): VNode {
  if (lineage === undefined) return <><h1>Lineage</h1><p>The lineage was not read for this build.</p></>;
  return (
    <>
      <h1>Lineage</h1>
      <p>Where each table’s data comes from and what reads it: sources, bronze, silver, gold and report pages, left to right. Each box links to its page.</p>
      <div class="scroll lineage" dangerouslySetInnerHTML={{ __html: renderLineageSvg(lineage, { listId: 'lineage-list' }) }} />
      <Section id="lineage-as-text" heading="The same, as a list">
        <div dangerouslySetInnerHTML={{ __html: renderLineageList(lineage, { id: 'lineage-list' }) }} />
      </Section>
    </>
  );
}
