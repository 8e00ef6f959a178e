// The one shape every form's server action returns.
export interface FormState {
  status: "idle" | "success" | "error";
  message?: string;
  fieldErrors?: Record<string, string[]>;
  /**
   * What the user typed, sent back after an error so React's form reset loses nothing.
   * Secrets (passwords, keys) are never echoed.
   */
  values?: Record<string, string>;
  /** Where a successful submission continues (the server action redirects there). */
  redirectTo?: string;
  /** What a successful submission made, for the page to follow up (a started query's id). */
  data?: Record<string, string>;
}

export const idleState: FormState = { status: "idle" };

const secretField = /password|secret|token|key$/i;

export function echoValues(input: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(input)) {
    if (typeof value === "string" && !secretField.test(name)) values[name] = value;
  }
  return values;
}
