import type { ServerResponse } from "node:http";
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { CloudError } from "../errors";

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", suppressEmptyNode: false, processEntities: true });
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true, isArray: () => false });
// Where values are names (object keys in DeleteObjects), spaces at either end are part of them.
const exactParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, processEntities: true, isArray: () => false });

export function toXml(root: string, body: Record<string, unknown>, namespace?: string): string {
  const node = namespace ? { "@_xmlns": namespace, ...body } : body;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: node })}`;
}

/** Parses a small XML request body; anything that is not well-formed XML is MalformedXML. */
export function parseXml(text: string, { exact = false }: { exact?: boolean } = {}): Record<string, unknown> {
  if (!text.trim()) throw new CloudError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
  try {
    const result = (exact ? exactParser : parser).parse(text, true) as Record<string, unknown>;
    return result;
  } catch {
    throw new CloudError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
  }
}

export function sendXml(res: ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(xml);
  res.writeHead(status, { "Content-Type": "application/xml", "Content-Length": String(body.length), ...headers });
  res.end(body);
}

/** S3's error document. */
export function sendS3Error(res: ServerResponse, error: CloudError, requestId: string, head = false): void {
  const xml = toXml("Error", { Code: error.code, Message: error.message, ...error.extra, RequestId: requestId });
  if (head) {
    // HEAD responses carry no body; the SDK reads the status (and our error code header).
    res.writeHead(error.status, { ...error.headers, "x-amz-request-id": requestId, "x-amz-error-code": error.code });
    res.end();
    return;
  }
  sendXml(res, error.status, xml, { ...error.headers, "x-amz-request-id": requestId });
}

/** The query protocol's (STS) error document. */
export function sendQueryError(res: ServerResponse, error: CloudError, requestId: string, namespace: string): void {
  const type = error.status >= 500 ? "Receiver" : "Sender";
  const xml = toXml("ErrorResponse", { Error: { Type: type, Code: error.code, Message: error.message }, RequestId: requestId }, namespace);
  sendXml(res, error.status, xml, { "x-amzn-RequestId": requestId });
}
