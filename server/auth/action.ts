import { revalidatePath } from "next/cache";
import { cookies, headers } from "next/headers";
import { FLASH_COOKIE } from "@/lib/flash";
import { redirect } from "next/navigation";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { echoValues, type FormState } from "@/lib/form-state";
import { recordAudit } from "@/server/audit/audit";
import { can, type Permission } from "@/lib/permissions";
import { checkPageOrganization } from "./origin";
import { currentActor, type Actor } from "./session";

/**
 * What a server action does, apart from being one: the permission it needs, the schema of its
 * input, and the work. Every "use server" export hands one of these to `submitForm`, so no action
 * can skip the session, the permission or the parse.
 */
export interface Command<S extends z.ZodType> {
  /** What the audit log calls this action ("datasets.delete"). */
  action: string;
  /** What the action acts on, for the audit log, when the input's naming field does not say. */
  target?: (input: Record<string, unknown>) => string;
  permission: Permission;
  schema: S;
  /** Returns the success message shown to the user, or that and the page to go to next. */
  run(input: z.output<S>, actor: Actor): Promise<string | { message: string; redirectTo?: string; data?: Record<string, string> }>;
  /** Paths whose cached pages change when this succeeds. */
  revalidate?: string[];
}

export function defineCommand<S extends z.ZodType>(command: Command<S>): Command<S> {
  return command;
}

/** What an action acted on, for the audit log: the first naming field of its input. */
function targetOf(input: Record<string, unknown>): string {
  for (const key of ["email", "name", "id", "userId", "dataset", "configuredTableId"]) {
    if (typeof input[key] === "string" && input[key]) return input[key];
  }
  return "";
}

/**
 * Session → permission → parse → work; errors become a FormState, never a stack trace. Every
 * attempt by a signed-in user, allowed or not, is appended to the organization's audit log.
 */
export async function runCommand<S extends z.ZodType>(actor: Actor | null, command: Command<S>, input: Record<string, unknown>): Promise<FormState> {
  const state = await attempt(actor, command, input);
  if (actor) {
    await recordAudit({
      organizationId: actor.orgId,
      userId: actor.userId,
      userEmail: actor.email,
      action: command.action,
      target: command.target?.(input) ?? targetOf(input),
      outcome: state.status === "success" ? "success" : "error",
      // What was asked (never a password or key: echoValues leaves them out) and how it ended.
      detail: { input: echoValues(input), message: state.message ?? "" },
    });
  }
  return state;
}

async function attempt<S extends z.ZodType>(actor: Actor | null, command: Command<S>, input: Record<string, unknown>): Promise<FormState> {
  const values = echoValues(input);
  try {
    if (!actor) throw new AppError("unauthenticated", "Your session has ended. Sign in again.");
    if (!can(actor.role, command.permission)) {
      throw new AppError("forbidden", "Your role does not allow this action.");
    }
    const parsed = command.schema.safeParse(input);
    if (!parsed.success) {
      return {
        status: "error",
        message: "Check the highlighted fields.",
        fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]>,
        values,
      };
    }
    const outcome = await command.run(parsed.data, actor);
    return typeof outcome === "string" ? { status: "success", message: outcome } : { status: "success", ...outcome };
  } catch (error) {
    if (error instanceof AppError) return { status: "error", message: error.message, fieldErrors: error.fieldErrors, values };
    throw error;
  }
}

/** A form's fields; those named in `lists` (checkbox groups) keep every value they were sent. */
export function formInput(formData: FormData, lists: string[] = []): Record<string, FormDataEntryValue | FormDataEntryValue[]> {
  // Next.js adds $ACTION_* fields to progressively enhanced forms; they are not input.
  const input: Record<string, FormDataEntryValue | FormDataEntryValue[]> = Object.fromEntries([...formData.entries()].filter(([key]) => !key.startsWith("$ACTION")));
  for (const name of lists) input[name] = formData.getAll(name);
  return input;
}

/** The session's actor, unless the page that sent the action was rendered for another organization (server/auth/origin.ts). */
async function actorForPage(): Promise<Actor | null> {
  const actor = await currentActor();
  if (actor) checkPageOrganization(await headers(), actor.orgId, { required: false });
  return actor;
}

export async function submitForm<S extends z.ZodType>(command: Command<S>, formData: FormData, options: { lists?: string[] } = {}): Promise<FormState> {
  let actor: Actor | null;
  try {
    actor = await actorForPage();
  } catch (error) {
    if (error instanceof AppError) return { status: "error", message: error.message };
    throw error;
  }
  const state = await runCommand(actor, command, formInput(formData, options.lists));
  if (state.status === "success") for (const path of command.revalidate ?? []) revalidatePath(path);
  if (state.status === "success" && state.redirectTo) {
    // The form that would show the outcome is gone after the redirect: the next page shows it as a toast.
    (await cookies()).set(FLASH_COOKIE, encodeURIComponent(state.message ?? ""), { path: "/", maxAge: 60, sameSite: "lax" });
    redirect(state.redirectTo);
  }
  return state;
}

/** What a read-only action answers: its value, or the error a user may read. */
export type ReadResult<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * A server action that changes nothing (a live check, say): the session and the permission are
 * checked like any command's, errors become a message; nothing goes to the audit log.
 */
export async function readAction<T>(permission: Permission, work: (actor: Actor) => Promise<T>): Promise<ReadResult<T>> {
  try {
    const actor = await actorForPage();
    if (!actor) throw new AppError("unauthenticated", "Your session has ended. Sign in again.");
    if (!can(actor.role, permission)) throw new AppError("forbidden", "Your role does not allow this action.");
    return { ok: true, value: await work(actor) };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, message: error.message };
    throw error;
  }
}
