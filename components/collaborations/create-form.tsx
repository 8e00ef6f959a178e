"use client";

import { useActionState, useState } from "react";
import { createCollaboration } from "@/app/(console)/collaborations/actions";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { abilityLabels, memberAbilities, type NewCollaboration } from "@/lib/collaborations";
import { idleState } from "@/lib/form-state";

type Ability = (typeof memberAbilities)[number];
type MemberRow = { key: number; accountId: string; displayName: string; abilities: Ability[] };

const encryptionOptions = [
  ["allowCleartext", "Allow cleartext columns"],
  ["allowDuplicates", "Allow duplicate values in fingerprint columns"],
  ["allowJoinsOnColumnsWithDifferentNames", "Allow joins on columns with different names"],
  ["preserveNulls", "Preserve NULL values"],
] as const;

function Abilities({ label, value, onChange }: { label: string; value: Ability[]; onChange: (value: Ability[]) => void }) {
  return (
    <div className="flex flex-wrap gap-3" role="group" aria-label={label}>
      {memberAbilities.map((ability) => (
        <label key={ability} className="flex items-center gap-2 text-sm">
          <input type="checkbox" className="h-4 w-4" checked={value.includes(ability)} onChange={(e) => onChange(e.target.checked ? [...value, ability] : value.filter((a) => a !== ability))} />
          {abilityLabels[ability]}
        </label>
      ))}
    </div>
  );
}

/**
 * A new collaboration: its name and purpose, how this organization appears in it and what it may
 * do, the organizations invited (by AWS account id) with theirs, query logging, and the
 * cryptographic-computing settings. The whole is sent as one JSON field, since members are a list.
 */
export function CreateCollaborationForm({ organizationName }: { organizationName: string }) {
  const [state, formAction, pending] = useActionState(createCollaboration, idleState);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [creatorDisplayName, setCreatorDisplayName] = useState(organizationName);
  const [creatorAbilities, setCreatorAbilities] = useState<Ability[]>(["CAN_QUERY", "CAN_RECEIVE_RESULTS"]);
  const [members, setMembers] = useState<MemberRow[]>([{ key: 1, accountId: "", displayName: "", abilities: [] }]);
  const [queryLogStatus, setQueryLogStatus] = useState<"ENABLED" | "DISABLED">("ENABLED");
  const [encrypted, setEncrypted] = useState(false);
  const [encryption, setEncryption] = useState({ allowCleartext: true, allowDuplicates: true, allowJoinsOnColumnsWithDifferentNames: false, preserveNulls: true });

  const collaboration: NewCollaboration = {
    name,
    description,
    creatorDisplayName,
    creatorAbilities,
    members: members.map(({ accountId, displayName, abilities }) => ({ accountId: accountId.trim(), displayName, abilities })),
    queryLogStatus,
    encryption: encrypted ? encryption : null,
  };
  const errors = state.fieldErrors ?? {};
  const updateMember = (key: number, change: Partial<MemberRow>) => setMembers((rows) => rows.map((row) => (row.key === key ? { ...row, ...change } : row)));

  return (
    <form action={formAction} className="space-y-5" noValidate aria-label="Create a collaboration">
      <FormMessage state={state} />
      <input type="hidden" name="collaboration" value={JSON.stringify(collaboration)} />
      <Field id="collab-name" label="Name" errors={errors.name}>
        {(aria) => <Input {...aria} value={name} onChange={(e) => setName(e.target.value)} required />}
      </Field>
      <Field id="collab-description" label="Purpose" errors={errors.description}>
        {(aria) => <Input {...aria} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="Measure the overlap of our customers by segment" required />}
      </Field>
      <Field id="collab-display-name" label="Your organization's name in the collaboration" errors={errors.creatorDisplayName}>
        {(aria) => <Input {...aria} value={creatorDisplayName} onChange={(e) => setCreatorDisplayName(e.target.value)} required />}
      </Field>
      <div className="space-y-1">
        <p className="text-sm font-medium text-slate-700">What your organization may do</p>
        <Abilities label="Your organization's abilities" value={creatorAbilities} onChange={setCreatorAbilities} />
        {errors.creatorAbilities && <p className="text-sm text-red-600">{errors.creatorAbilities.join(" ")}</p>}
      </div>

      <fieldset className="min-w-0 space-y-3">
        <legend className="text-sm font-medium text-slate-700">Organizations invited</legend>
        {members.map((member, index) => (
          <div key={member.key} className="space-y-2 rounded-md border border-slate-200 p-3" role="group" aria-label={`Invited organization ${index + 1}`}>
            <div className="grid gap-2 sm:grid-cols-2">
              <Field id={`member-${member.key}-account`} label="AWS account id (12 digits)">
                {(aria) => <Input {...aria} inputMode="numeric" value={member.accountId} onChange={(e) => updateMember(member.key, { accountId: e.target.value })} />}
              </Field>
              <Field id={`member-${member.key}-name`} label="Display name">
                {(aria) => <Input {...aria} value={member.displayName} onChange={(e) => updateMember(member.key, { displayName: e.target.value })} />}
              </Field>
            </div>
            <div className="flex flex-wrap items-center justify-between gap-2">
              <Abilities label={`Abilities of invited organization ${index + 1}`} value={member.abilities} onChange={(abilities) => updateMember(member.key, { abilities })} />
              {members.length > 1 && (
                <Button type="button" variant="secondary" onClick={() => setMembers((rows) => rows.filter((row) => row.key !== member.key))}>
                  Remove
                </Button>
              )}
            </div>
          </div>
        ))}
        {errors.members && <p className="text-sm text-red-600">{errors.members.join(" ")}</p>}
        {members.length < 9 && (
          <Button type="button" variant="secondary" onClick={() => setMembers((rows) => [...rows, { key: Math.max(...rows.map((r) => r.key)) + 1, accountId: "", displayName: "", abilities: [] }])}>
            Invite another organization
          </Button>
        )}
      </fieldset>

      <Field id="collab-query-log" label="Query logging" errors={errors.queryLogStatus}>
        {(aria) => (
          <Select {...aria} value={queryLogStatus} onChange={(e) => setQueryLogStatus(e.target.value as "ENABLED" | "DISABLED")}>
            <option value="ENABLED">Enabled: members that allow it keep a log of the queries run on their tables</option>
            <option value="DISABLED">Disabled</option>
          </Select>
        )}
      </Field>

      <fieldset className="min-w-0 space-y-2">
        <legend className="text-sm font-medium text-slate-700">Data encryption</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" className="h-4 w-4" checked={encrypted} onChange={(e) => setEncrypted(e.target.checked)} />
          Members may bring tables encrypted with Cryptographic Computing for Clean Rooms, with these settings
        </label>
        {encrypted && (
          <div className="ml-6 space-y-1">
            {encryptionOptions.map(([key, label]) => (
              <label key={key} className="flex items-center gap-2 text-sm">
                <input type="checkbox" className="h-4 w-4" checked={encryption[key]} onChange={(e) => setEncryption((current) => ({ ...current, [key]: e.target.checked }))} />
                {label}
              </label>
            ))}
          </div>
        )}
        {errors.encryption && <p className="text-sm text-red-600">{errors.encryption.join(" ")}</p>}
      </fieldset>

      <Button type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create collaboration"}
      </Button>
    </form>
  );
}
