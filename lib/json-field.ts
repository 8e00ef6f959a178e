/**
 * A form field that carries a JSON document (a list of members, a rule): its value, or null when
 * it is not JSON. Its shape is then checked with the field's zod schema.
 */
export function jsonField(text: unknown): unknown {
  if (typeof text !== "string") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
