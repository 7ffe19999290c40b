// The pieces every page is made of. Text is escaped by the renderer; only <RawHtml> (server-rendered SVG
// and the Markdown of report pages, both produced by our own code) is inserted as it is.
import { createContext, type ComponentChildren, type VNode } from 'preact';
import { useContext } from 'preact/hooks';

import type { CheckStatus, FreshnessState, StepState } from '../state/types.js';
import { relativeHref } from './links.js';

/** The path of the page being rendered, relative to the site root: what every link is relative to. */
export const CurrentPage = createContext<string>('index.html');

/** A link to another page of the site, given by its path from the site root (pagePaths). */
export function Link({ to, children, current }: { to: string; children: ComponentChildren; current?: boolean }): VNode {
  const from = useContext(CurrentPage);
  return <a href={relativeHref(from, to)} aria-current={current ? 'page' : undefined}>{children}</a>;
}

export function RawHtml({ html }: { html: string }): VNode {
  return <div class="raw" dangerouslySetInnerHTML={{ __html: html }} />;
}

export { Table, type Column } from '../render/table.js';

export function Section({ id, heading, children }: { id: string; heading: string; children: ComponentChildren }): VNode {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{heading}</h2>
      {children}
    </section>
  );
}

export function Facts({ entries }: { entries: ReadonlyArray<readonly [string, ComponentChildren]> }): VNode {
  return (
    <dl class="facts">
      {entries.map(([term, value]) => <><dt>{term}</dt><dd>{value}</dd></>)}
    </dl>
  );
}

export function Note({ children }: { children: ComponentChildren }): VNode {
  return <span class="note">{children}</span>;
}

export function Time({ iso }: { iso: string | null }): VNode {
  return iso === null ? <>—</> : <time dateTime={iso}>{iso}</time>;
}

export function ErrorText({ text }: { text: string }): VNode {
  return <pre class="error">{text}</pre>;
}

export type Tone = 'ok' | 'warn' | 'bad' | 'muted';

/** The state is always spelled out in text; colour only reinforces it. */
export function Badge({ text, tone }: { text: string; tone: Tone }): VNode {
  return <span class={`badge ${tone}`}>{text}</span>;
}

const freshnessTones: Record<FreshnessState, Tone> = { fresh: 'ok', warn: 'warn', error: 'bad', unknown: 'muted' };
const checkTones: Record<CheckStatus, Tone> = { pass: 'ok', warn: 'warn', fail: 'bad', error: 'bad' };
const runTones: Record<StepState, Tone> = { success: 'ok', failed: 'bad', running: 'muted', skipped: 'muted' };

export function FreshnessBadge({ state }: { state: FreshnessState | null }): VNode {
  return state === null ? <Badge text="no SLA" tone="muted" /> : <Badge text={state} tone={freshnessTones[state]} />;
}

export function CheckBadge({ status }: { status: CheckStatus }): VNode {
  return <Badge text={status} tone={checkTones[status]} />;
}

export function RunBadge({ state }: { state: StepState | null }): VNode {
  return state === null ? <Badge text="never run" tone="muted" /> : <Badge text={state} tone={runTones[state]} />;
}

export function ConservationBadge({ conserved }: { conserved: boolean }): VNode {
  return conserved ? <Badge text="OK" tone="ok" /> : <Badge text="broken" tone="bad" />;
}
