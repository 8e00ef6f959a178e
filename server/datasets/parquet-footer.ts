// Just enough of Parquet's footer to tell whether a file is whole: the footer is a FileMetaData
// struct in Thrift's compact protocol, and each of its column chunks says where its pages start
// and how many bytes they take. A file cut short, or missing bytes anywhere before its footer,
// has chunks that end past where the footer begins. The reader skips every field it does not
// need, so it follows any writer's footer, and refuses (returns null for) one it cannot read.

type Value = bigint | number | boolean | Buffer | Value[] | Map<number, Value>;

class Reader {
  private at = 0;
  constructor(private readonly bytes: Buffer) {}

  private byte(): number {
    if (this.at >= this.bytes.length) throw new RangeError("footer ends early");
    return this.bytes[this.at++]!;
  }

  private varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
    }
    throw new RangeError("varint too long");
  }

  private zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }

  value(type: number): Value {
    switch (type) {
      case 1:
        return true;
      case 2:
        return false;
      case 3:
        return this.byte();
      case 4:
      case 5:
      case 6:
        return this.zigzag();
      case 7:
        this.at += 8;
        return 0;
      case 8: {
        const length = Number(this.varint());
        const value = this.bytes.subarray(this.at, this.at + length);
        this.at += length;
        return value;
      }
      case 9:
      case 10: {
        const header = this.byte();
        const size = header >> 4 === 15 ? Number(this.varint()) : header >> 4;
        const items: Value[] = [];
        for (let i = 0; i < size; i++) items.push((header & 0x0f) === 1 || (header & 0x0f) === 2 ? this.byte() === 1 : this.value(header & 0x0f));
        return items;
      }
      case 11: {
        const size = Number(this.varint());
        const types = size ? this.byte() : 0;
        for (let i = 0; i < size; i++) {
          this.value(types >> 4);
          this.value(types & 0x0f);
        }
        return [];
      }
      case 12:
        return this.struct();
      default:
        throw new RangeError(`unknown Thrift type ${type}`);
    }
  }

  struct(): Map<number, Value> {
    const fields = new Map<number, Value>();
    let id = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return fields;
      id = header >> 4 ? id + (header >> 4) : Number(this.zigzag());
      fields.set(id, this.value(header & 0x0f));
    }
  }
}

const asStructs = (value: Value | undefined) => (Array.isArray(value) ? value.filter((v): v is Map<number, Value> => v instanceof Map) : []);
const asNumber = (value: Value | undefined) => (typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : undefined);

/**
 * Where the last bytes the footer points at end (a file offset): column chunks' pages, and their
 * indexes and Bloom filters; null when the footer cannot be read. FileMetaData.row_groups (4) →
 * RowGroup.columns (1) → ColumnChunk.meta_data (3) → ColumnMetaData.total_compressed_size (7),
 * data_page_offset (9), dictionary_page_offset (11).
 */
export function endOfColumnChunks(footer: Buffer): number | null {
  try {
    const metadata = new Reader(footer).struct();
    let end = 0;
    for (const rowGroup of asStructs(metadata.get(4))) {
      for (const chunk of asStructs(rowGroup.get(1))) {
        const meta = chunk.get(3);
        if (!(meta instanceof Map)) continue;
        const size = asNumber(meta.get(7));
        const starts = [asNumber(meta.get(9)), asNumber(meta.get(11))].filter((n): n is number => n !== undefined && n > 0);
        if (size === undefined || !starts.length) return null;
        end = Math.max(end, Math.min(...starts) + size);
        // Indexes and Bloom filters written after the pages: ColumnChunk offset index (4, 5) and
        // column index (6, 7); ColumnMetaData Bloom filter (14, 15).
        for (const [holder, offset, length] of [
          [chunk, 4, 5],
          [chunk, 6, 7],
          [meta, 14, 15],
        ] as const) {
          const [start, bytes] = [asNumber(holder.get(offset)), asNumber(holder.get(length))];
          if (start !== undefined && bytes !== undefined) end = Math.max(end, start + bytes);
        }
      }
    }
    return end;
  } catch {
    return null;
  }
}
