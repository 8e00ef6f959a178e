import { isUtf8 } from "node:buffer";
import { Transform, type TransformCallback } from "node:stream";
import { AppError } from "@/lib/errors";
import { formatBytes } from "@/lib/format";
import { CsvRows } from "./csv";
import { endOfColumnChunks } from "./parquet-footer";

// Checks a dataset file while it streams to storage, so a bad file is refused before anything is
// kept and a good one is never read twice or held whole in memory. CSV is checked for what
// breaks cataloguing and queries: UTF-8, a header of distinct non-blank names, the same number of
// fields on every row. Parquet is checked at both ends: its magic bytes and its footer (its schema
// is read by the crawler).

export type DatasetFormat = "csv" | "parquet";

export function formatOf(filename: string): DatasetFormat {
  const lower = filename.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".parquet")) return "parquet";
  throw new AppError("invalid", `"${filename}" is not a CSV or Parquet file: the name must end in .csv or .parquet.`, { file: ["Choose a .csv or .parquet file."] });
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** How many bytes of `buffer` end on a whole UTF-8 character (a character cut at the end is left out). */
function completeUtf8(buffer: Buffer): number {
  for (let back = 1; back <= Math.min(3, buffer.length); back++) {
    const byte = buffer[buffer.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? buffer.length - back : buffer.length;
  }
  return buffer.length;
}

const refuse = (message: string) => new AppError("invalid", message, { file: [message] });

const looksLikeData = (name: string) => /^-?\d+([.,]\d+)?$/.test(name.trim()) || /^\d{4}-\d{2}-\d{2}/.test(name.trim());

function checkHeader(names: string[]): void {
  const seen = new Map<string, number>();
  names.forEach((raw, index) => {
    const name = raw.trim();
    if (!name) throw refuse(`Column ${index + 1} of the header row has no name. Every column needs a name in the first row.`);
    const lower = name.toLowerCase();
    if (seen.has(lower)) throw refuse(`The header names "${name}" twice (columns ${seen.get(lower)! + 1} and ${index + 1}). Column names must be distinct.`);
    seen.set(lower, index);
  });
  if (names.every(looksLikeData)) throw refuse("The first row holds values, not column names. Add a header row naming each column.");
}

// Parquet ends with its footer (the file's metadata, Thrift-encoded), the footer's length (4 bytes,
// little-endian) and PAR1. The last bytes are kept as the file streams past, enough to see the
// start of any footer up to this size.
const PARQUET_TAIL_KEPT = 1 << 20;

/**
 * A Parquet file's markers and footer: PAR1 at both ends, a footer that fits between them, and,
 * when it was kept, column chunks that all end before the footer begins (parquet-footer.ts). A
 * file cut short, or missing bytes in its middle, fails one of these.
 */
function checkParquetEnds(bytes: number, head: Buffer, tail: Buffer): void {
  if (bytes < 12 || head.toString("latin1") !== "PAR1" || tail.subarray(-4).toString("latin1") !== "PAR1") {
    throw refuse("The file is not a Parquet file (it does not begin and end with Parquet's PAR1 marker).");
  }
  const footer = tail.readUInt32LE(tail.length - 8);
  const damaged = refuse("The Parquet file is damaged or incomplete (its footer does not fit the file); export it again and upload the whole file.");
  if (footer === 0 || footer + 12 > bytes) throw damaged;
  // A footer longer than what was kept is left to the crawler, which reads the whole file.
  if (footer + 8 > tail.length) return;
  const footerStart = bytes - 8 - footer;
  const end = endOfColumnChunks(tail.subarray(tail.length - 8 - footer, tail.length - 8));
  // Every column chunk must lie between the leading PAR1 and the footer: bytes lost anywhere before the footer move it.
  if (end === null || end > footerStart) throw damaged;
}

/** A pass-through stream that refuses, mid-stream, a file that is not a well-formed dataset. */
export function datasetCheck(format: DatasetFormat, maxBytes: number): Transform & { summary(): { bytes: number; rows: number; columns: string[] } } {
  let bytes = 0;
  let rows = 0;
  let columns: string[] = [];
  // UTF-8 is checked per chunk (isUtf8 is native and fast); a character cut by the chunk's end
  // waits for the next chunk.
  let carry = Buffer.alloc(0);
  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  const csv = new CsvRows((fields, count) => {
    if (!columns.length) {
      checkHeader(fields);
      columns = fields.map((f) => f.trim());
      csv.keepValues = false; // past the header only the number of fields matters
    } else {
      rows += 1;
      if (count !== columns.length) throw refuse(`Row ${rows + 1} has ${count} field${count === 1 ? "" : "s"} where the header has ${columns.length}. Every row needs one value per column.`);
    }
  });
  const notUtf8 = () => refuse("The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again.");
  const checkText = (chunk: Buffer) => {
    const text = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const whole = completeUtf8(text);
    if (!isUtf8(text.subarray(0, whole))) throw notUtf8();
    carry = Buffer.from(text.subarray(whole));
    return text.subarray(0, whole);
  };

  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      try {
        bytes += chunk.length;
        if (bytes > maxBytes) throw refuse(`The file is larger than the ${formatBytes(maxBytes)} a dataset may hold.`);
        if (format === "csv") {
          let text = checkText(chunk);
          if (bytes === chunk.length && text.subarray(0, 3).equals(BOM)) text = text.subarray(3); // a UTF-8 byte-order mark
          csv.push(text);
        } else {
          if (head.length < 4) head = Buffer.concat([head, chunk.subarray(0, 4 - head.length)]);
          tail = Buffer.concat([tail, chunk]).subarray(-PARQUET_TAIL_KEPT);
        }
        done(null, chunk);
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        if (bytes === 0) throw refuse("The file is empty.");
        if (format === "csv") {
          if (carry.length) throw notUtf8();
          csv.end();
          if (!columns.length) throw refuse("The file has no header row.");
          if (rows === 0) throw refuse("The file has a header but no rows of data.");
        } else {
          checkParquetEnds(bytes, head, tail);
        }
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  return Object.assign(stream, { summary: () => ({ bytes, rows, columns }) });
}
