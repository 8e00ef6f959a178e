import type { QueryLogFilter } from "./queries";

// The query log's filter as the page's form and the export link carry it in the URL.
export const queryStatuses = ["SUBMITTED", "STARTED", "CANCELLING", "SUCCESS", "FAILED", "CANCELLED", "TIMED_OUT", "REFUSED"] as const;

const day = (value: string | null, next = false) => {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return undefined;
  if (next) date.setUTCDate(date.getUTCDate() + 1);
  return date;
};

export function queryLogFilterOf(params: URLSearchParams): QueryLogFilter {
  const status = params.get("status") ?? "";
  return {
    status: (queryStatuses as readonly string[]).includes(status) ? status : undefined,
    user: params.get("user")?.trim() || undefined,
    collaborationId: params.get("collaboration")?.trim() || undefined,
    from: day(params.get("from")),
    to: day(params.get("to"), true),
    search: params.get("q")?.trim() || undefined,
  };
}
