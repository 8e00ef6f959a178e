import { csvLine } from "@/lib/csv";
import { route } from "@/server/auth/route";
import { queryLogFilterOf } from "@/server/queries/log-filter";
import { queryLogRows } from "@/server/queries/queries";

// GET /api/query-logs?<filter>: the organization's query log as CSV, every entry the filter
// matches, streamed a thousand rows at a time.
export const GET = route({ permission: "queryLogs.view" }, async (request, actor) => {
  const filter = queryLogFilterOf(new URL(request.url).searchParams);
  const encoder = new TextEncoder();
  const rows = queryLogRows(actor, filter);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode("id,started_at,finished_at,user,collaboration_id,status,rows,privacy_epsilon,error,template,parameters,sql\n"));
    },
    async pull(controller) {
      const next = await rows.next();
      if (next.done) return controller.close();
      const q = next.value;
      controller.enqueue(
        encoder.encode(
          csvLine([
            q.id,
            q.startedAt,
            q.finishedAt,
            q.userEmail,
            q.collaborationId,
            q.status,
            q.rows,
            q.privacyMeasurements !== null && q.privacyUsersNoise ? q.privacyMeasurements / q.privacyUsersNoise : null,
            q.error,
            q.templateName,
            q.parameters ? JSON.stringify(q.parameters) : null,
            q.sql,
          ]),
        ),
      );
    },
  });
  return new Response(body, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="query-log.csv"' } });
});
