// A streaming RFC 4180 CSV reader: quoted fields with delimiters, doubled quotes and line breaks
// inside, CRLF or LF, a leading BOM. An unquoted empty field is null (no value); a quoted one is "".
// Small enough to own rather than add a dependency to every action bundle.

export interface CsvRow {
  fields: Array<string | null>;
  /** 1-based line the row starts on. */
  line: number;
}

export class CsvError extends Error {}

export class CsvParser {
  private fields: Array<string | null> = [];
  private field = '';
  private quoted = false;
  /** Inside a quoted field; `quoteSeen`: just read a quote there, which either doubles or closes. */
  private inQuotes = false;
  private quoteSeen = false;
  private line = 1;
  private rowLine = 1;
  private started = false;

  constructor(private readonly delimiter = ',') {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new CsvError(`a CSV delimiter is one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`);
    }
  }

  /** Parses the next piece of text; returns the rows it completed. */
  push(text: string): CsvRow[] {
    const rows: CsvRow[] = [];
    let i = 0;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    for (; i < text.length; i++) {
      const c = text[i];
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (c === '"') {
            this.field += '"';
            continue;
          }
          this.inQuotes = false; // the quote closed the field; read c as outside quotes below
        } else {
          if (c === '"') this.quoteSeen = true;
          else {
            if (c === '\n') this.line++;
            this.field += c;
          }
          continue;
        }
      }
      if (c === this.delimiter) this.endField();
      else if (c === '\n') {
        this.endRow(rows);
        this.line++;
        this.rowLine = this.line;
      } else if (c === '\r') {
        // Part of CRLF; a bare CR inside an unquoted field is dropped too.
      } else if (c === '"' && this.field === '' && !this.quoted) {
        this.inQuotes = true;
        this.quoted = true;
      } else this.field += c;
    }
    return rows;
  }

  /** Completes the last row; an open quote at the end of the input is an error. */
  end(): CsvRow[] {
    if (this.inQuotes && !this.quoteSeen) throw new CsvError(`line ${this.rowLine}: a quoted field is not closed before the end of the file`);
    this.inQuotes = false;
    this.quoteSeen = false;
    const rows: CsvRow[] = [];
    this.endRow(rows);
    return rows;
  }

  private endField(): void {
    this.fields.push(this.quoted || this.field !== '' ? this.field : null);
    this.field = '';
    this.quoted = false;
  }

  private endRow(rows: CsvRow[]): void {
    this.endField();
    // A blank line is no row.
    if (!(this.fields.length === 1 && this.fields[0] === null)) rows.push({ fields: this.fields, line: this.rowLine });
    this.fields = [];
  }
}
