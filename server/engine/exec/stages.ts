// Where a protected query's time goes, stage by stage, from the moment it was submitted to the
// moment its status says it ended. The runner reports every query's stages to whoever listens
// (the benchmark does; the log does at info). Durations only: a report never carries SQL, names
// or values, so it may be logged and shown to anyone.

export const queryStages = ["queue", "lookups", "validation", "sandbox", "execution", "result", "status"] as const;
export type QueryStage = (typeof queryStages)[number];

export const stageNames: Record<QueryStage, string> = {
  queue: "queue wait",
  lookups: "catalog, rules and files",
  validation: "validation",
  sandbox: "sandbox set-up",
  execution: "execution",
  result: "result writing",
  status: "status update",
};

export interface StageReport {
  id: string;
  /** Milliseconds per stage; a stage the query never reached is 0. */
  ms: Record<QueryStage, number>;
}

/** Splits a run into consecutive stages: each mark ends the stage running and starts the next. */
export class StageClock {
  private current: QueryStage;
  private since: number;
  readonly ms = Object.fromEntries(queryStages.map((s) => [s, 0])) as Record<QueryStage, number>;

  constructor(first: QueryStage, since = performance.now()) {
    this.current = first;
    this.since = since;
  }

  mark(next: QueryStage): void {
    const now = performance.now();
    this.ms[this.current] += now - this.since;
    this.current = next;
    this.since = now;
  }

  /** Ends the stage running; the clock stops. */
  stop(): Record<QueryStage, number> {
    this.mark(this.current);
    return this.ms;
  }
}

const holder = globalThis as typeof globalThis & { __stageListeners?: Set<(report: StageReport) => void> };
const listeners = () => (holder.__stageListeners ??= new Set());

/** Calls `listener` with every finished query's stages, until the returned function is called. */
export function onStageReport(listener: (report: StageReport) => void): () => void {
  listeners().add(listener);
  return () => listeners().delete(listener);
}

export function reportStages(report: StageReport): void {
  for (const listener of listeners()) listener(report);
}
