import { DuckDBInstance } from "@duckdb/node-api";

// Schema inference for crawled datasets, with DuckDB reading the object files themselves.

export type DatasetFormat = "csv" | "parquet";

export interface InferredColumn {
  Name: string;
  Type: string;
}

/** DuckDB's type names, in Glue's (Hive's) vocabulary. */
export function glueType(duckType: string): string {
  const t = duckType.toUpperCase();
  const decimal = t.match(/^DECIMAL\((\d+),\s*(\d+)\)$/);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  const simple: Record<string, string> = {
    BIGINT: "bigint",
    HUGEINT: "bigint",
    UBIGINT: "bigint",
    INTEGER: "int",
    UINTEGER: "bigint",
    SMALLINT: "smallint",
    USMALLINT: "int",
    TINYINT: "tinyint",
    UTINYINT: "smallint",
    DOUBLE: "double",
    FLOAT: "float",
    BOOLEAN: "boolean",
    DATE: "date",
    TIMESTAMP: "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
    TIMESTAMP_NS: "timestamp",
    TIMESTAMP_MS: "timestamp",
    TIMESTAMP_S: "timestamp",
    BLOB: "binary",
    VARCHAR: "string",
  };
  return simple[t] ?? "string";
}

const quote = (path: string) => `'${path.replace(/'/g, "''")}'`;

/** Reads the header (CSV) or footer (Parquet) of the given files and returns one column list. */
export async function inferColumns(format: DatasetFormat, files: string[]): Promise<InferredColumn[]> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  try {
    const list = `[${files.map(quote).join(", ")}]`;
    const source = format === "csv" ? `read_csv(${list}, header = true, union_by_name = true, sample_size = 20480)` : `read_parquet(${list}, union_by_name = true)`;
    const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    return reader.getRowObjectsJS().map((row) => ({ Name: String(row.column_name).toLowerCase(), Type: glueType(String(row.column_type)) }));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export function formatOf(key: string): DatasetFormat | null {
  const lower = key.toLowerCase();
  if (/\.(csv|tsv|txt)(\.gz)?$/.test(lower)) return "csv";
  if (/\.parquet$/.test(lower) || /\.snappy\.parquet$/.test(lower)) return "parquet";
  return null;
}

export const serdeFor: Record<DatasetFormat, Record<string, unknown>> = {
  csv: {
    InputFormat: "org.apache.hadoop.mapred.TextInputFormat",
    OutputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", Parameters: { "field.delim": "," } },
  },
  parquet: {
    InputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    OutputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", Parameters: { "serialization.format": "1" } },
  },
};

export const tableParametersFor: Record<DatasetFormat, Record<string, string>> = {
  csv: { classification: "csv", delimiter: ",", "skip.header.line.count": "1", areColumnsQuoted: "false", typeOfData: "file" },
  parquet: { classification: "parquet", compressionType: "none", typeOfData: "file" },
};
