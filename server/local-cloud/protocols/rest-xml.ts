import type { ServerResponse } from "node:http";
import type { FileHandle } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { toXml } from "./xml";

// restXml (S3): handlers return what to answer; this file alone writes it. A handler names the
// status, the headers, and either an XML document (root element and members) or a byte range
// of an open file, and never touches the response itself.

export const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

export interface XmlAnswer {
  /** 200 unless said otherwise (204 for most deletes, 206 for ranges, 304 for conditional reads). */
  status?: number;
  headers?: Record<string, string>;
  /** An XML document in S3's namespace. */
  xml?: { root: string; body: Record<string, unknown> };
  /** A document written as is (GetBucketLocation's empty element keeps its namespace this way). */
  text?: string;
  /** Bytes start..end (inclusive) of an open file; the handle is closed once they are sent. */
  file?: { handle: FileHandle; start: number; end: number };
}

/** Writes a handler's answer. HEAD answers carry the headers of the GET without its body. */
export async function sendXmlAnswer(res: ServerResponse, answer: XmlAnswer, head = false): Promise<void> {
  const headers = { ...answer.headers };
  const document = answer.xml ? toXml(answer.xml.root, answer.xml.body, s3Namespace) : answer.text;
  if (document !== undefined) {
    const body = Buffer.from(document);
    res.writeHead(answer.status ?? 200, { "Content-Type": "application/xml", "Content-Length": String(body.length), ...headers });
    res.end(head ? undefined : body);
    return;
  }
  if (!answer.file) {
    if (headers["Content-Length"] === undefined && (answer.status ?? 200) !== 204 && (answer.status ?? 200) !== 304) headers["Content-Length"] = "0";
    res.writeHead(answer.status ?? 200, headers);
    res.end();
    return;
  }
  const { handle, start, end } = answer.file;
  try {
    res.writeHead(answer.status ?? 200, headers);
    if (head) {
      res.end();
      return;
    }
    // A client may hang up mid-body (a cancelled download): that ends the response, it is no error.
    await pipeline(handle.createReadStream({ start, end, highWaterMark: 1024 * 1024, autoClose: false }), res).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ERR_STREAM_PREMATURE_CLOSE") throw error;
    });
  } finally {
    await handle.close();
  }
}
