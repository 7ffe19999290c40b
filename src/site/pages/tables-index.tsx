// Every table of the project on one page: a plain table that reads with no JavaScript, and a filter box
// that a small inline script shows and runs (nothing fetched; without the script the box is not there).
import type { VNode } from 'preact';

import { formatCount } from '../../report/format.js';
import type { CatalogTable } from '../catalog.js';
import { Link, Note, Table } from '../components.js';
import { pagePaths } from '../links.js';

// Shows the filter and hides the rows that do not hold every typed word. ES5, no globals left behind.
const FILTER_SCRIPT = `(function () {
  var box = document.getElementById('table-filter-box');
  var input = document.getElementById('table-filter');
  var count = document.getElementById('table-count');
  if (!box || !input || !count) return;
  var rows = document.querySelectorAll('#table-list tbody tr');
  box.hidden = false;
  input.addEventListener('input', function () {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var text = rows[i].getAttribute('data-search') || '';
      var match = words.every(function (word) { return text.indexOf(word) >= 0; });
      rows[i].hidden = !match;
      if (match) shown++;
    }
    count.textContent = shown + ' of ' + rows.length + ' tables';
  });
})();`;

export function TablesIndexPage({ tables }: { tables: readonly CatalogTable[] | undefined }): VNode {
  if (tables === undefined) return <><h1>Tables</h1><p>The catalog was not read for this build.</p></>;
  return (
    <>
      <h1>Tables</h1>
      <p>Every table the project declares, bronze to gold. <Link to={pagePaths.lineage}>The lineage</Link> shows how they connect.</p>
      <div id="table-filter-box" class="filter" hidden>
        <label for="table-filter">Filter tables</label>{' '}
        <input id="table-filter" type="search" autocomplete="off" aria-describedby="table-count" />{' '}
        <span id="table-count" class="note" aria-live="polite">{tables.length} tables</span>
      </div>
      <div id="table-list">
        <Table caption={`${tables.length} tables: name, layer, owner, rows and description`} columns={['Table', 'Layer', 'Owner', { label: 'Rows', numeric: true }, 'Description']}>
          {tables.map((t) => (
            <tr data-search={[t.name, t.layer, t.kind, t.pipeline ?? '', ...t.owners, t.description ?? ''].join(' ').toLowerCase()}>
              <th scope="row"><Link to={pagePaths.table(t.name)}>{t.name}</Link></th>
              <td>{t.layer}</td>
              <td>{t.owners.join(', ') || '—'}</td>
              <td class="n">{t.rows === null ? '—' : formatCount(t.rows)}</td>
              <td>{t.description ? firstSentence(t.description) : <Note>no description</Note>}</td>
            </tr>
          ))}
        </Table>
      </div>
      <script dangerouslySetInnerHTML={{ __html: FILTER_SCRIPT }} />
    </>
  );
}

/** The index shows a description's first sentence; the table's page has all of it. */
function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return end < 0 ? text : text.slice(0, end + 1);
}
