import { Readable } from "node:stream";
import type { AwsPrincipal } from "@/server/aws/clients";
import { getDataset, uploadDataset } from "@/server/datasets/datasets";

/** Uploads a CSV as a dataset, as the console does, and waits until its crawl has catalogued it. */
export async function catalogueDataset(principal: AwsPrincipal, name: string, csv: string): Promise<void> {
  await uploadDataset(principal, { name, filename: `${name}.csv`, body: Readable.from([Buffer.from(csv)]) });
  for (let i = 0; i < 200; i++) {
    if ((await getDataset(principal, name))?.columns.length) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the dataset ${name} was not catalogued in time`);
}
