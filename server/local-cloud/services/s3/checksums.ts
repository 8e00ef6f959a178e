import { createHash } from "node:crypto";
import zlib from "node:zlib";
import { CloudError } from "../../errors";
import type { StoredChecksum } from "../../store/schema";

export type ChecksumAlgorithm = StoredChecksum["algorithm"];
export const checksumAlgorithms: ChecksumAlgorithm[] = ["CRC32", "CRC32C", "SHA1", "SHA256"];

export interface Checksummer {
  update(chunk: Buffer): void;
  /** The digest, base64-encoded as S3 reports it. */
  digest(): string;
}

// CRC32C (Castagnoli), table-driven: only used when a client asks for it.
const crc32cTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** A CRC as S3 shows it: its four bytes, big-endian, in base64. */
export function uint32Base64(value: number): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out.toString("base64");
}

export function checksummer(algorithm: ChecksumAlgorithm): Checksummer {
  switch (algorithm) {
    case "CRC32": {
      let crc = 0;
      return { update: (chunk) => void (crc = zlib.crc32(chunk, crc)), digest: () => uint32Base64(crc) };
    }
    case "CRC32C": {
      let crc = 0xffffffff;
      return {
        update(chunk) {
          for (let i = 0; i < chunk.length; i++) crc = crc32cTable[(crc ^ chunk[i]!) & 0xff]! ^ (crc >>> 8);
        },
        digest: () => uint32Base64(crc ^ 0xffffffff),
      };
    }
    case "SHA1":
    case "SHA256": {
      const hash = createHash(algorithm === "SHA1" ? "sha1" : "sha256");
      return { update: (chunk) => void hash.update(chunk), digest: () => hash.digest("base64") };
    }
  }
}

export function parseAlgorithm(value: string | undefined): ChecksumAlgorithm | undefined {
  if (!value) return undefined;
  const upper = value.toUpperCase();
  if ((checksumAlgorithms as string[]).includes(upper)) return upper as ChecksumAlgorithm;
  throw new CloudError(400, "InvalidRequest", `Checksum algorithm ${value} is not supported by the local cloud; use CRC32, CRC32C, SHA1 or SHA256.`);
}

export const checksumHeader = (algorithm: ChecksumAlgorithm) => `x-amz-checksum-${algorithm.toLowerCase()}`;
export const checksumXmlName = (algorithm: ChecksumAlgorithm) => `Checksum${algorithm}`;
