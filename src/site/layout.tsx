// The shell of every page: the document head with the one inline stylesheet, the site's navigation, and
// the footer saying when the site was generated.
import type { ComponentChildren, VNode } from 'preact';

import { CurrentPage, Link, Time } from './components.js';
import { pagePaths } from './links.js';
import { STYLE } from './style.js';

/** The site's top navigation; a page kind adds itself here when it has an index page of its own. */
export const NAV: ReadonlyArray<{ label: string; path: string }> = [
  { label: 'Overview', path: pagePaths.overview },
  { label: 'Dashboards', path: pagePaths.dashboards },
  { label: 'Tables', path: pagePaths.tables },
  { label: 'Lineage', path: pagePaths.lineage },
];

export interface LayoutProps {
  /** This page's path from the site root. */
  path: string;
  title: string;
  generatedAt: string;
  children: ComponentChildren;
}

export function Layout({ path, title, generatedAt, children }: LayoutProps): VNode {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <CurrentPage.Provider value={path}>
          <nav class="site" aria-label="Site">
            {NAV.map((item) => <Link to={item.path} current={item.path === path}>{item.label}</Link>)}
          </nav>
          <main>{children}</main>
          <footer>Generated <Time iso={generatedAt} /></footer>
        </CurrentPage.Provider>
      </body>
    </html>
  );
}
