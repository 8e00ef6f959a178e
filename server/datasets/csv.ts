import { AppError } from "@/lib/errors";

const unclosedQuote = 'The file ends inside a quoted field: a closing quote (") is missing.';

/** A CSV field-and-row splitter (RFC 4180 quoting), fed text a chunk at a time. */
export class CsvRows {
  private field = "";
  private fields: string[] = [];
  private quoted = false;
  private afterQuote = false;
  private fieldStarted = false;
  private pendingCr = false;

  constructor(private readonly onRow: (fields: string[]) => void) {}

  push(text: string): void {
    for (const char of text) {
      if (this.pendingCr) {
        this.pendingCr = false;
        if (char === "\n") continue;
      }
      if (this.quoted) {
        if (char === '"') {
          this.quoted = false;
          this.afterQuote = true;
        } else this.field += char;
        continue;
      }
      if (char === '"') {
        if (this.afterQuote) {
          this.field += '"'; // "" inside quotes
          this.quoted = true;
          this.afterQuote = false;
        } else if (!this.fieldStarted) {
          this.quoted = true;
          this.fieldStarted = true;
        } else this.field += char;
        continue;
      }
      this.afterQuote = false;
      if (char === ",") {
        this.fields.push(this.field);
        this.field = "";
        this.fieldStarted = false;
      } else if (char === "\n" || char === "\r") {
        this.endRow();
        this.pendingCr = char === "\r";
      } else {
        this.field += char;
        this.fieldStarted = true;
      }
    }
  }

  private endRow() {
    this.fields.push(this.field);
    const row = this.fields;
    this.fields = [];
    this.field = "";
    this.fieldStarted = false;
    // A line with nothing on it (a trailing newline) is not a row.
    if (!(row.length === 1 && row[0] === "")) this.onRow(row);
  }

  end(): void {
    if (this.quoted) throw new AppError("invalid", unclosedQuote, { file: [unclosedQuote] });
    if (this.fields.length || this.field !== "" || this.fieldStarted) this.endRow();
  }
}

/**
 * The first `limit` rows of CSV text. When the text is the start of a longer file, its last row
 * may be cut short, so it is left out.
 */
export function parseCsvRows(text: string, limit: number, truncated: boolean): string[][] {
  const rows: string[][] = [];
  const reader = new CsvRows((fields) => rows.push(fields));
  reader.push(text.startsWith("\uFEFF") ? text.slice(1) : text);
  if (!truncated) reader.end();
  return rows.slice(0, limit);
}
