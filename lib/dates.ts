/**
 * A `YYYY-MM-DD` from a date input as the UTC midnight starting that day (or, with `next`, the
 * one ending it, for an inclusive "to" bound); undefined for anything else.
 */
export function utcDay(value: string | null | undefined, next = false): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return undefined;
  if (next) date.setUTCDate(date.getUTCDate() + 1);
  return date;
}
