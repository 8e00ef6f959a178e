import { Readable } from "node:stream";
import type { AwsPrincipal } from "@/server/aws/clients";
import { untilCatalogued, uploadDataset } from "@/server/datasets/datasets";

/** Uploads a CSV as a dataset, as the console does, and waits until its crawl has catalogued it. */
export async function catalogueDataset(principal: AwsPrincipal, name: string, csv: string): Promise<void> {
  await uploadDataset(principal, { name, filename: `${name}.csv`, body: Readable.from([Buffer.from(csv)]) });
  if (!(await untilCatalogued(principal, name, 10_000))) throw new Error(`the dataset ${name} was not catalogued in time`);
}
