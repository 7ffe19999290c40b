// A source's reader, and what it yields page by page: records as values, or as JSON lines already scanned.
import type { FieldProfile } from './profile.js';

/** Why a record cannot go to bronze: bytes that are not UTF-8, or nesting past the scanner's MAX_DEPTH. */
export type RejectReason = 'invalid_utf8' | 'too_deep';

/** A record of a page or of JSON lines that is kept as received but not loaded; `index` counts the records before it. */
export interface RejectedRecord {
  index: number;
  reason: RejectReason;
  /** The record as its JSON line holds it (line breaks between values become spaces), bytes unchanged. */
  bytes: Buffer;
}

/** Records already as JSON lines (one per line, as received), with their field profile and newest cursor. */
export interface JsonLinesPage {
  lines: Buffer;
  count: number;
  /** Bytes of the longest record. */
  longestRecord: number;
  profile: FieldProfile;
  newestCursor?: string;
  /** Records among the lines that must not go to bronze; the count, profile and cursor leave them out, except `count`. */
  rejected?: RejectedRecord[];
}

/** What a reader yields: records as values, or as JSON lines it has already profiled. */
export type SourcePage = unknown[] | JsonLinesPage;

/** Reads one resource of a source: the pages of a batch, and what the batch must commit with them. */
export interface ResourceReader {
  resource: string;
  /** Field whose greatest value becomes the next cursor, if incremental. */
  cursorField?: string;
  /** Yields pages of records; `since` is the stored cursor (already lagged by the caller's source). */
  pages(since: string | undefined): AsyncIterable<SourcePage>;
  /** Turns the stored cursor into the value to ask the source for (cursor minus lag, or the initial value). */
  since(stored: string | undefined): string | undefined;
  /** Statements that must commit together with the batch (e.g. which files it read); run inside its transaction. */
  commit?(batchId: string): Promise<void>;
}
