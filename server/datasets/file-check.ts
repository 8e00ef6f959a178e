import { Transform, type TransformCallback } from "node:stream";
import { AppError } from "@/lib/errors";
import { formatBytes } from "@/lib/format";
import { CsvRows } from "./csv";

// Checks a dataset file while it streams to storage, so a bad file is refused before anything is
// kept and a good one is never read twice or held whole in memory. CSV is checked for what
// breaks cataloguing and queries: UTF-8, a header of distinct non-blank names, the same number of
// fields on every row. Parquet is checked by its magic bytes at both ends (its schema is read by
// the crawler).

export type DatasetFormat = "csv" | "parquet";

export function formatOf(filename: string): DatasetFormat {
  const lower = filename.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".parquet")) return "parquet";
  throw new AppError("invalid", `"${filename}" is not a CSV or Parquet file: the name must end in .csv or .parquet.`, { file: ["Choose a .csv or .parquet file."] });
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

/** A pass-through stream that refuses, mid-stream, a file that is not a well-formed dataset. */
export function datasetCheck(format: DatasetFormat, maxBytes: number): Transform & { summary(): { bytes: number; rows: number; columns: string[] } } {
  let bytes = 0;
  let rows = 0;
  let columns: string[] = [];
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  const csv = new CsvRows((fields) => {
    if (!columns.length) {
      checkHeader(fields);
      columns = fields.map((f) => f.trim());
    } else {
      rows += 1;
      if (fields.length !== columns.length)
        throw refuse(`Row ${rows + 1} has ${fields.length} field${fields.length === 1 ? "" : "s"} where the header has ${columns.length}. Every row needs one value per column.`);
    }
  });
  const decode = (chunk: Buffer, final: boolean) => {
    try {
      return decoder.decode(chunk, { stream: !final });
    } catch {
      throw refuse("The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again.");
    }
  };

  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      try {
        bytes += chunk.length;
        if (bytes > maxBytes) throw refuse(`The file is larger than the ${formatBytes(maxBytes)} a dataset may hold.`);
        if (format === "csv") {
          let text = decode(chunk, false);
          if (bytes === chunk.length && text.startsWith("\uFEFF")) text = text.slice(1); // a UTF-8 byte-order mark
          csv.push(text);
        } else {
          if (head.length < 4) head = Buffer.concat([head, chunk.subarray(0, 4 - head.length)]);
          tail = Buffer.concat([tail, chunk]).subarray(-4);
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
          csv.push(decode(Buffer.alloc(0), true));
          csv.end();
          if (!columns.length) throw refuse("The file has no header row.");
          if (rows === 0) throw refuse("The file has a header but no rows of data.");
        } else if (bytes < 12 || head.toString("latin1") !== "PAR1" || tail.toString("latin1") !== "PAR1") {
          throw refuse("The file is not a Parquet file (it does not begin and end with Parquet's PAR1 marker).");
        }
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  return Object.assign(stream, { summary: () => ({ bytes, rows, columns }) });
}
