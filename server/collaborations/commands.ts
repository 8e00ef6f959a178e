import { z } from "zod";
import { protectsWithDifferentialPrivacy } from "@/lib/analysis-rules";
import { AppError } from "@/lib/errors";
import { newCollaboration } from "@/lib/collaborations";
import { jsonField } from "@/lib/json-field";
import { defineCommand } from "@/server/auth/action";
import { quicksightDashboardUrl } from "@/lib/quicksight";
import { associateTable, createCollaboration, deleteCollaboration, getCollaboration, joinCollaboration, leaveCollaboration, removeAssociation } from "./collaborations";
import { setPrivacyBudgetTemplate } from "./privacy-budget";
import { saveSettings } from "./settings";

// The collaboration pages' server actions: each names its permission and parses its input.
const byId = z.object({ id: z.string().min(1) });

export const createCollaborationCommand = defineCommand({
  action: "collaborations.create",
  target: (input) => String((jsonField(input.collaboration) as { name?: unknown } | null)?.name ?? ""),
  permission: "collaborations.manage",
  // The form sends the collaboration as one JSON field (its member list is dynamic).
  schema: z.object({ collaboration: z.string().min(1) }),
  async run({ collaboration }, actor) {
    const parsed = newCollaboration.safeParse(jsonField(collaboration));
    if (!parsed.success) {
      const fieldErrors: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) {
        const [field, index] = issue.path;
        const message = field === "members" && typeof index === "number" ? `Invited organization ${index + 1}: ${issue.message}` : issue.message;
        (fieldErrors[String(field ?? "collaboration")] ??= []).push(message);
      }
      throw new AppError("invalid", "Check the highlighted fields.", fieldErrors);
    }
    const id = await createCollaboration(actor, parsed.data);
    return { message: `Created ${parsed.data.name} and invited ${parsed.data.members.map((m) => m.displayName).join(", ")}.`, redirectTo: `/collaborations/${id}` };
  },
  revalidate: ["/collaborations", "/"],
});

export const joinCollaborationCommand = defineCommand({
  action: "collaborations.join",
  permission: "collaborations.manage",
  schema: byId,
  async run({ id }, actor) {
    await joinCollaboration(actor, id);
    // The invitation disappears from the page it was on; the collaboration's page says what happened.
    return { message: "Your organization has joined.", redirectTo: `/collaborations/${id}?joined=1` };
  },
  revalidate: ["/collaborations", "/"],
});

export const associateTableCommand = defineCommand({
  action: "collaborations.associateTable",
  permission: "collaborations.associate",
  schema: z.object({
    id: z.string().min(1),
    configuredTableId: z.string().min(1, "Choose a configured table."),
    name: z
      .string()
      .trim()
      .regex(/^(?!\d)[a-z0-9_]{1,128}$/, "Use lower-case letters, digits and underscores (not starting with a digit): it is the table's name in SQL."),
    description: z.string().trim().max(255).optional(),
    resultReceivers: z.array(z.string()),
  }),
  async run({ id, ...input }, actor) {
    await associateTable(actor, id, input);
    return `Added ${input.name}. Members who may query can now use it under its rule.`;
  },
  revalidate: ["/collaborations"],
});

export const removeAssociationCommand = defineCommand({
  action: "collaborations.removeTable",
  permission: "collaborations.associate",
  schema: z.object({ id: z.string().min(1), associationId: z.string().min(1), name: z.string() }),
  async run({ id, associationId, name }, actor) {
    await removeAssociation(actor, id, associationId);
    return `Removed ${name} from the collaboration.`;
  },
  revalidate: ["/collaborations"],
});

export const leaveCollaborationCommand = defineCommand({
  action: "collaborations.leave",
  permission: "collaborations.manage",
  schema: byId,
  async run({ id }, actor) {
    await leaveCollaboration(actor, id);
    return { message: "Your organization has left the collaboration.", redirectTo: "/collaborations" };
  },
  revalidate: ["/collaborations", "/"],
});

export const deleteCollaborationCommand = defineCommand({
  action: "collaborations.delete",
  permission: "collaborations.manage",
  schema: byId,
  async run({ id }, actor) {
    await deleteCollaboration(actor, id);
    return { message: "The collaboration was deleted.", redirectTo: "/collaborations" };
  },
  revalidate: ["/collaborations", "/"],
});

export const setDashboardCommand = defineCommand({
  action: "collaborations.setDashboard",
  permission: "collaborations.manage",
  schema: z.object({ id: z.string().min(1), url: z.string().trim().max(2048) }),
  async run({ id, url }, actor) {
    // Only a collaboration the organization can see may get a setting.
    if (!(await getCollaboration(actor, id))) throw new AppError("not_found", "There is no such collaboration.");
    if (!url) {
      await saveSettings(actor.orgId, id, { dashboardUrl: null });
      return "The QuickSight link was removed.";
    }
    const valid = quicksightDashboardUrl(url);
    if (!valid) throw new AppError("invalid", "Check the link.", { url: ["Paste the https link of a QuickSight dashboard (…quicksight.aws.amazon.com/sn/dashboards/…)."] });
    await saveSettings(actor.orgId, id, { dashboardUrl: valid });
    return "Results of this collaboration now link to the QuickSight dashboard.";
  },
  revalidate: ["/collaborations", "/workbench"],
});

export const setSuggestedQueryCommand = defineCommand({
  action: "collaborations.setSuggestedQuery",
  permission: "collaborations.manage",
  schema: z.object({ id: z.string().min(1), sql: z.string().trim().max(90_000, "A query may be at most 90,000 characters.") }),
  async run({ id, sql }, actor) {
    if (!(await getCollaboration(actor, id))) throw new AppError("not_found", "There is no such collaboration.");
    await saveSettings(actor.orgId, id, { suggestedSql: sql || null });
    return sql ? "Your analysts will find this query in the workbench." : "The suggested query was removed.";
  },
  revalidate: ["/workbench"],
});

const whole = (name: string, min: number, max: number) =>
  z.coerce.number(`${name} must be a number.`).int(`${name} must be a whole number.`).min(min, `${name} is at least ${min}.`).max(max, `${name} is at most ${max}.`);

export const setPrivacyBudgetCommand = defineCommand({
  action: "collaborations.setPrivacyBudget",
  permission: "collaborations.manage",
  schema: z.object({
    id: z.string().min(1),
    epsilon: whole("Epsilon", 1, 20),
    usersNoisePerQuery: whole("Users of noise per query", 10, 100),
    autoRefresh: z.enum(["CALENDAR_MONTH", "NONE"], "Choose whether the budget refreshes each month.").default("CALENDAR_MONTH"),
  }),
  target: (input) => String(input.id ?? ""),
  async run({ id, epsilon, usersNoisePerQuery, autoRefresh }, actor) {
    const collaboration = await getCollaboration(actor, id);
    if (!collaboration) throw new AppError("not_found", "There is no such collaboration.");
    const owns = collaboration.tables.some((t) => t.ownerAccountId === collaboration.ownAccountId && protectsWithDifferentialPrivacy(t.rule));
    if (!owns) throw new AppError("forbidden", "Only the member whose tables differential privacy protects sets this collaboration's privacy budget.");
    const done = await setPrivacyBudgetTemplate(actor, id, { epsilon, usersNoisePerQuery, autoRefresh });
    return done === "created"
      ? `The privacy budget is set: ε ${epsilon}, noise for ${usersNoisePerQuery} users per query.`
      : `The privacy budget now has ε ${epsilon}, noise for ${usersNoisePerQuery} users per query.`;
  },
  revalidate: ["/collaborations", "/workbench"],
});
