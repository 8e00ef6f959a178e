import { AsyncLocalStorage } from "node:async_hooks";
import { QueryRefusal } from "./refusal";

// What checking one query may cost. Planning and validation are near-linear in the query's size
// (each node is visited a bounded number of times; the differential-privacy planner looks
// expressions up by their shape instead of comparing each with every earlier one), so a size
// limit bounds the work, and a time limit stops it: every call into DuckDB's parser and every
// step of the planner's loop asks whether the check's time is up, so an over-long check ends
// there instead of running on after its answer is no longer awaited.

/** Parse-tree nodes a query may have (a 1,000-aggregate SELECT has about 6,000). */
export const MAX_TREE_NODES = 50_000;
/** Aggregations one query on differentially private tables may make; each spends budget anyway. */
export const MAX_PRIVATE_AGGREGATIONS = 1_000;
/** How long a query's check may take: when it is started, and in the workbench as one types. */
export const CHECK_TIME_LIMIT_MS = 10_000;
export const LIVE_CHECK_TIME_LIMIT_MS = 2_000;

/** A refusal that cost the engine real work (a time or size limit): callers rate-limit these per user. */
export class CostlyRefusal extends QueryRefusal {
  readonly costly = true;
}

const deadlines = new AsyncLocalStorage<{ at: number; limitMs: number }>();

/** Runs a check with a time limit, which `checkTime` enforces wherever the work goes. */
export function withTimeLimit<T>(limitMs: number, work: () => Promise<T>): Promise<T> {
  const outer = deadlines.getStore();
  const at = performance.now() + limitMs;
  // A check inside another keeps the earlier deadline.
  if (outer && outer.at <= at) return work();
  return deadlines.run({ at, limitMs }, work);
}

/** Throws when the running check's time is up. */
export function checkTime(): void {
  const deadline = deadlines.getStore();
  if (deadline && performance.now() > deadline.at) {
    throw new CostlyRefusal(`Checking this query took longer than ${deadline.limitMs / 1000} s, so it is refused; make it smaller (fewer expressions, tables or aggregations).`);
  }
}

/**
 * Costly refusals per caller: after `max` of them within `windowMs`, the caller's checks are
 * refused at once until the oldest leaves the window, so no one keeps a core busy by sending
 * queries built to hit the limits. Kept per process: each instance limits what it is sent.
 */
export class CostlyRefusalLimiter {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly max = 3,
    private readonly windowMs = 60_000,
  ) {}

  async guard<T>(caller: string, work: () => Promise<T>, now = () => performance.now()): Promise<T> {
    const times = (this.recent.get(caller) ?? []).filter((t) => now() - t < this.windowMs);
    if (times.length >= this.max) {
      const seconds = Math.ceil((times[0]! + this.windowMs - now()) / 1000);
      throw new QueryRefusal(`Your last ${this.max} queries were refused for their size or the time they took to check; wait ${seconds} s before the next check.`);
    }
    try {
      return await work();
    } catch (error) {
      if (error instanceof CostlyRefusal) {
        times.push(now());
        this.recent.set(caller, times);
        // Callers no longer refused are forgotten as others come.
        if (this.recent.size > 10_000) for (const [key, list] of this.recent) if (!list.some((t) => now() - t < this.windowMs)) this.recent.delete(key);
      }
      throw error;
    }
  }
}
