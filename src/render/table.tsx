// A data table shared by the operations pages and the report pages.
import type { ComponentChildren, VNode } from 'preact';

export type Column = string | { label: string; numeric: true };

/**
 * A table with a caption (what it shows, for everyone and for screen readers) that scrolls sideways on a phone.
 * The scrolling wrapper takes the keyboard focus, named by the caption, so a reader without a mouse can scroll it.
 */
export function Table({ caption, columns, children }: { caption: string; columns: readonly Column[]; children: ComponentChildren }): VNode {
  return (
    <div class="scroll" tabindex={0} role="region" aria-label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (typeof column === 'string'
              ? <th scope="col">{column}</th>
              : <th scope="col" class="n">{column.label}</th>))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
