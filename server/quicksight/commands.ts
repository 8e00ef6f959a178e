import { z } from "zod";
import { defineCommand } from "@/server/auth/action";
import { publishToQuickSight } from "./publish";

// The workbench's "Publish to QuickSight": the chart the analyst sees, sent as JSON, checked here.

const name = z.string().max(128);
const chartSpec = z.discriminatedUnion("type", [
  z.object({ type: z.literal("number"), measure: name }),
  z.object({ type: z.literal("bar"), x: name, measures: z.array(name).min(1).max(20) }),
  z.object({ type: z.literal("groupedBar"), x: name, series: name, measure: name }),
  z.object({ type: z.literal("line"), x: name, measures: z.array(name).min(1).max(20) }),
  z.object({ type: z.literal("table") }),
]);

export const publishQuickSightCommand = defineCommand({
  action: "queries.publishQuickSight",
  target: (input) => String(input.queryId ?? ""),
  permission: "queries.run",
  schema: z.object({
    queryId: z.string().min(1).max(200),
    title: z.string().trim().min(1, "Give the dashboard a title.").max(128),
    chart: z.string().transform((text, ctx) => {
      const parsed = chartSpec.safeParse(
        (() => {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            return null;
          }
        })(),
      );
      if (!parsed.success) {
        ctx.addIssue({ code: "custom", message: "Choose a chart to publish." });
        return z.NEVER;
      }
      return parsed.data;
    }),
  }),
  async run(input, actor) {
    const { url } = await publishToQuickSight(actor, input);
    return { message: "Published to QuickSight.", data: { url } };
  },
});
