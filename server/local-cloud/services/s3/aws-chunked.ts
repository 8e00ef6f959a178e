import { Transform, type TransformCallback } from "node:stream";
import { CloudError } from "../../errors";

/**
 * Decodes the aws-chunked content encoding that SDKs use for streamed uploads:
 * `<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0\r\n<trailer>: <value>\r\n\r\n`.
 * The data passes through; the trailers (e.g. x-amz-checksum-crc32) are collected.
 */
export class AwsChunkedDecoder extends Transform {
  readonly trailers = new Map<string, string>();
  private state: "size" | "data" | "crlf" | "trailer" | "done" = "size";
  private line = Buffer.alloc(0);
  private remaining = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      let offset = 0;
      while (offset < chunk.length) {
        if (this.state === "data") {
          const take = Math.min(this.remaining, chunk.length - offset);
          this.push(chunk.subarray(offset, offset + take));
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = "crlf";
          continue;
        }
        if (this.state === "done") {
          offset = chunk.length; // bytes after the final CRLF are ignored, as S3 does
          continue;
        }
        const newline = chunk.indexOf(0x0a, offset);
        const end = newline === -1 ? chunk.length : newline + 1;
        this.line = Buffer.concat([this.line, chunk.subarray(offset, end)]);
        offset = end;
        if (this.line.length > 8192) throw malformed("a chunk header is too long");
        if (newline === -1) continue;
        const text = this.line.toString("latin1").replace(/\r?\n$/, "");
        this.line = Buffer.alloc(0);
        this.onLine(text);
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private onLine(text: string): void {
    if (this.state === "crlf") {
      if (text !== "") throw malformed("chunk data is longer than its declared size");
      this.state = "size";
    } else if (this.state === "size") {
      const sizeText = text.split(";")[0]!.trim();
      if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw malformed(`"${sizeText.slice(0, 20)}" is not a chunk size`);
      this.remaining = parseInt(sizeText, 16);
      this.state = this.remaining === 0 ? "trailer" : "data";
    } else if (this.state === "trailer") {
      if (text === "") {
        this.state = "done";
        return;
      }
      const colon = text.indexOf(":");
      if (colon <= 0) throw malformed("a trailer line has no name");
      this.trailers.set(text.slice(0, colon).trim().toLowerCase(), text.slice(colon + 1).trim());
    }
  }

  override _flush(callback: TransformCallback): void {
    // The final empty line is optional in practice; a body that ends inside a chunk is not.
    if (this.state === "size" || this.state === "data" || this.state === "crlf") callback(new CloudError(400, "IncompleteBody", "The request body ended before the final chunk."));
    else callback();
  }
}

function malformed(why: string) {
  return new CloudError(400, "InvalidRequest", `The aws-chunked request body is malformed: ${why}.`);
}
