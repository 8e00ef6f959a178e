import { utcDay } from "@/lib/dates";
import type { QueryLogFilter } from "./queries";

// The query log's filter as the page's form and the export link carry it in the URL.
export const queryStatuses = ["SUBMITTED", "STARTED", "CANCELLING", "SUCCESS", "FAILED", "CANCELLED", "TIMED_OUT", "REFUSED"] as const;

export function queryLogFilterOf(params: URLSearchParams): QueryLogFilter {
  const status = params.get("status") ?? "";
  return {
    status: (queryStatuses as readonly string[]).includes(status) ? status : undefined,
    user: params.get("user")?.trim() || undefined,
    collaborationId: params.get("collaboration")?.trim() || undefined,
    from: utcDay(params.get("from")),
    to: utcDay(params.get("to"), true),
    search: params.get("q")?.trim() || undefined,
  };
}
