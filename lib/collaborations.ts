import { z } from "zod";
import type { TableRule } from "./analysis-rules";

// Collaborations as the console shows and creates them; plain data and schemas, safe on both sides.

export const memberAbilities = ["CAN_QUERY", "CAN_RECEIVE_RESULTS"] as const;
export const abilityLabels: Record<(typeof memberAbilities)[number], string> = { CAN_QUERY: "Can query", CAN_RECEIVE_RESULTS: "Can receive results" };

const ability = z.enum(memberAbilities);
const displayName = z.string().trim().min(1, "Give a display name.").max(100, "Use at most 100 characters.");

/** A new collaboration as the create form sends it (the API makes the remaining checks). */
export const newCollaboration = z.object({
  name: z.string().trim().min(1, "Give the collaboration a name.").max(100, "Use at most 100 characters."),
  description: z.string().trim().min(1, "Say what the collaboration is for.").max(255, "Use at most 255 characters."),
  creatorDisplayName: displayName,
  creatorAbilities: z.array(ability),
  members: z
    .array(z.object({ accountId: z.string().regex(/^\d{12}$/, "An AWS account id is 12 digits."), displayName, abilities: z.array(ability) }))
    .min(1, "Invite at least one other organization.")
    .max(9, "A collaboration has at most 10 members.")
    .refine((members) => new Set(members.map((m) => m.accountId)).size === members.length, "Each account may be invited once."),
  queryLogStatus: z.enum(["ENABLED", "DISABLED"]),
  encryption: z.object({ allowCleartext: z.boolean(), allowDuplicates: z.boolean(), allowJoinsOnColumnsWithDifferentNames: z.boolean(), preserveNulls: z.boolean() }).nullable(),
});
export type NewCollaboration = z.infer<typeof newCollaboration>;

export interface CollaborationSummary {
  id: string;
  name: string;
  creatorAccountId: string;
  creatorDisplayName: string;
  /** The caller's own status: INVITED until it joins, then ACTIVE. */
  memberStatus: string;
  createTime: string;
  isCreator: boolean;
}

export interface CollaborationDetail {
  id: string;
  name: string;
  description: string;
  creatorAccountId: string;
  creatorDisplayName: string;
  memberStatus: string;
  queryLogStatus: string;
  encryption: NewCollaboration["encryption"];
  isCreator: boolean;
  ownAccountId: string;
  membershipId: string | null;
  members: { accountId: string; displayName: string; status: string; abilities: string[] }[];
  /** Every member's associated tables, as the collaboration's schemas show them. */
  tables: {
    name: string;
    ownerAccountId: string;
    description: string;
    columns: { name: string; type: string }[];
    rule: TableRule | null;
    /** Who may receive results of queries on it (the owner's collaboration rule), when the owner said. */
    resultReceivers?: string[];
    associationId: string | null;
  }[];
  templates: { name: string; arn: string; creatorAccountId: string; description: string; sql: string; parameters: TemplateParameter[] }[];
}

/** A parameter of an analysis template, as its SQL names it (`:name`). */
export interface TemplateParameter {
  name: string;
  type: string;
  defaultValue?: string;
}
