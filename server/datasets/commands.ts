import { z } from "zod";
import { defineCommand } from "@/server/auth/action";
import { crawlDataset, deleteDataset } from "./datasets";

// The datasets page's server actions: each names its permission, parses its input and acts
// through the organization's own clients.
const byName = z.object({ name: z.string().min(1) });

export const deleteDatasetCommand = defineCommand({
  action: "datasets.delete",
  permission: "datasets.manage",
  schema: byName,
  async run({ name }, actor) {
    await deleteDataset(actor, name);
    return { message: `Deleted the dataset "${name}", its file and its catalogue table.`, redirectTo: "/datasets" };
  },
  revalidate: ["/datasets"],
});

export const crawlDatasetCommand = defineCommand({
  action: "datasets.crawl",
  permission: "datasets.manage",
  schema: byName,
  async run({ name }, actor) {
    await crawlDataset(actor, name);
    return `Cataloguing "${name}" again.`;
  },
  revalidate: ["/datasets"],
});
