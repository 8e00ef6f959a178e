// How often the console's pages ask about something still running (a protected query, a crawl).
// The local cloud answers in milliseconds and most local queries end within a second, so it is
// asked often at first; AWS runs queries for tens of seconds and throttles bursts of Get calls,
// so there the pages ask every second at most and back off further the longer something runs.
// After failed answers (AWS throttling, reported by the console as 429) the wait doubles each time.

export type PollingPace = "local" | "aws";

const steps: Record<PollingPace, [upToMs: number, everyMs: number][]> = {
  local: [
    [3_000, 100],
    [15_000, 300],
    [Infinity, 1_000],
  ],
  aws: [
    [10_000, 1_000],
    [60_000, 2_000],
    [Infinity, 5_000],
  ],
};

/** Milliseconds to wait before the next question, after `elapsedMs` of waiting and `failures` failed answers in a row. */
export function pollDelay(pace: PollingPace, elapsedMs: number, failures = 0): number {
  const base = steps[pace].find(([upTo]) => elapsedMs < upTo)![1];
  if (failures <= 0) return base;
  return Math.min(60_000, Math.max(base, 1_000) * 2 ** Math.min(failures, 6));
}
