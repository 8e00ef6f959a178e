import { AppError, type ErrorCode } from "@/lib/errors";
import { log } from "@/server/log";

// SDK errors as users read them. AWS's message is shown (it is written for the caller and names
// what was wrong); a ValidationException's `fieldList` is mapped onto the form's own field names,
// so each message appears beside the field it concerns. Anything that is not an AWS answer (the
// endpoint unreachable, a bug) is logged and shown as a generic failure, never as a stack trace.

interface ServiceError {
  name: string;
  message: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number };
  fieldList?: { name?: string; message?: string }[];
}

const isServiceError = (error: unknown): error is ServiceError =>
  error instanceof Error && typeof (error as ServiceError).$metadata === "object" && ((error as ServiceError).$fault === "client" || (error as ServiceError).$fault === "server");

const codeOf = (error: ServiceError): ErrorCode => {
  const status = error.$metadata?.httpStatusCode ?? 500;
  if (error.name === "ConflictException" || status === 409) return "conflict";
  if (/NotFound|NoSuch|EntityNotFound/.test(error.name) || status === 404) return "not_found";
  if (status === 403) return "forbidden";
  if (status === 429 || /Throttl/.test(error.name)) return "rate_limited";
  return "invalid";
};

/**
 * The form field an API field belongs to: the longest mapped prefix of its path, so that
 * `analysisRulePolicy.v1.aggregation.aggregateColumns[2].columnNames` finds a mapping for
 * `analysisRulePolicy.v1.aggregation.aggregateColumns` (or for `analysisRulePolicy`).
 */
function formFieldOf(apiField: string, fields: Record<string, string>): string | undefined {
  const segments = apiField.replace(/\[(\d+)\]/g, ".$1").split(".");
  for (let n = segments.length; n > 0; n--) {
    const found = fields[segments.slice(0, n).join(".")];
    if (found) return found;
  }
  return undefined;
}

/**
 * The AppError a form shows for an SDK failure. `fields` maps an API field path (or a prefix of
 * one, e.g. `allowedColumns` for `allowedColumns[2]`) to the form field it came from.
 */
export function appErrorOf(error: unknown, fields: Record<string, string> = {}, context = "The request"): AppError {
  if (error instanceof AppError) return error;
  if (!isServiceError(error) || error.$fault === "server") {
    log("error", "AWS call failed", { context, error });
    return new AppError("invalid", `${context} could not be completed: the cloud service did not answer as expected. Try again; if it keeps failing, ask an operator to check the server log.`);
  }
  const fieldErrors: Record<string, string[]> = {};
  for (const field of error.fieldList ?? []) {
    const formField = formFieldOf(field.name ?? "", fields);
    if (formField && field.message) (fieldErrors[formField] ??= []).push(field.message);
  }
  return new AppError(codeOf(error), error.message || error.name, Object.keys(fieldErrors).length ? fieldErrors : undefined);
}

/** Whether an SDK call failed with one of these AWS error names (an expected answer, not a fault). */
export const isAwsError = (error: unknown, ...names: string[]) => error instanceof Error && names.includes(error.name);

/** Runs an SDK call, turning its failure into the AppError a form shows. */
export async function awsCall<T>(context: string, call: () => Promise<T>, fields?: Record<string, string>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw appErrorOf(error, fields, context);
  }
}
