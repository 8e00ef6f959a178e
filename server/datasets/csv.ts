import { AppError } from "@/lib/errors";

const unclosedQuote = 'The file ends inside a quoted field: a closing quote (") is missing.';

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const QUOTE_BYTE = Buffer.from('"');

/**
 * A CSV field-and-row splitter (RFC 4180 quoting), fed bytes a chunk at a time. It works on bytes,
 * not text: the four characters that matter are ASCII and never occur inside a multi-byte UTF-8
 * character, so a gigabyte passes at memory speed, and a field's bytes are decoded only once it is
 * whole (a character split across chunks is never cut). Turning `keepValues` off after the header
 * makes it count fields without building them.
 */
export class CsvRows {
  keepValues = true;
  private pieces: Buffer[] = [];
  private fields: string[] = [];
  private count = 0;
  private quoted = false;
  private afterQuote = false;
  private fieldStarted = false;
  private pendingCr = false;

  constructor(private readonly onRow: (fields: string[], count: number) => void) {}

  push(chunk: Buffer): void {
    let i = 0;
    if (this.pendingCr && chunk.length) {
      this.pendingCr = false;
      if (chunk[0] === LF) i = 1;
    }
    const n = chunk.length;
    while (i < n) {
      if (this.quoted) {
        const close = chunk.indexOf(QUOTE, i);
        const end = close === -1 ? n : close;
        if (this.keepValues && end > i) this.pieces.push(chunk.subarray(i, end));
        if (close === -1) return;
        this.quoted = false;
        this.afterQuote = true;
        i = close + 1;
        continue;
      }
      let j = i;
      while (j < n) {
        const b = chunk[j]!;
        if (b === COMMA || b === LF || b === QUOTE || b === CR) break;
        j++;
      }
      if (j > i) {
        if (this.keepValues) this.pieces.push(chunk.subarray(i, j));
        this.fieldStarted = true;
        this.afterQuote = false;
      }
      if (j === n) return;
      const b = chunk[j]!;
      i = j + 1;
      if (b === QUOTE) {
        if (this.afterQuote) {
          if (this.keepValues) this.pieces.push(QUOTE_BYTE); // "" inside quotes
          this.quoted = true;
          this.afterQuote = false;
        } else if (!this.fieldStarted) {
          this.quoted = true;
          this.fieldStarted = true;
        } else if (this.keepValues) this.pieces.push(QUOTE_BYTE);
        continue;
      }
      this.afterQuote = false;
      if (b === COMMA) this.endField();
      else {
        this.endRow();
        if (b === CR) {
          if (i < n) {
            if (chunk[i] === LF) i += 1;
          } else this.pendingCr = true;
        }
      }
    }
  }

  private endField() {
    if (this.keepValues) this.fields.push(this.pieces.length === 1 ? this.pieces[0]!.toString("utf8") : Buffer.concat(this.pieces).toString("utf8"));
    this.pieces = [];
    this.count += 1;
    this.fieldStarted = false;
  }

  private endRow() {
    // A line with nothing on it (a trailing newline) is not a row.
    const empty = this.count === 0 && this.pieces.length === 0 && !this.fieldStarted;
    this.endField();
    const row = this.fields;
    const count = this.count;
    this.fields = [];
    this.count = 0;
    if (!empty) this.onRow(row, count);
  }

  end(): void {
    if (this.quoted) throw new AppError("invalid", unclosedQuote, { file: [unclosedQuote] });
    if (this.count || this.pieces.length || this.fieldStarted) this.endRow();
  }
}

/**
 * The first `limit` rows of CSV text. When the text is the start of a longer file, its last row
 * may be cut short, so it is left out.
 */
export function parseCsvRows(text: string, limit: number, truncated: boolean): string[][] {
  const rows: string[][] = [];
  const reader = new CsvRows((fields) => rows.push(fields));
  reader.push(Buffer.from(text.startsWith("\uFEFF") ? text.slice(1) : text));
  if (!truncated) reader.end();
  return rows.slice(0, limit);
}
