// A run queue with a concurrency limit, per process, fair between members and between the
// analysts of one member: the next job comes from the member served longest ago, and within that
// member from the analyst served longest ago, each analyst's jobs in the order they came. One
// member's hundred queries therefore wait behind another member's one, not the other way round.
// It holds only ids: what each job is, and how far it got, lives in the store, so a restart loses
// nothing (the caller re-enqueues).

export interface JobOwner {
  /** The member (account) whose job it is. */
  member: string;
  /** Who of that member submitted it (a principal). */
  analyst: string;
}

export interface RunQueue {
  enqueue(id: string, owner: JobOwner): void;
  /** Signals a running job to stop; false when the job is not running here. */
  interrupt(id: string): boolean;
  /** Jobs waiting for a slot, in the order they will run if nothing else arrives. */
  readonly waiting: string[];
  /** Whether the job is waiting or running in this queue. */
  holds(id: string): boolean;
}

/** A job as it starts: when it was enqueued (performance.now()), and its stop signal. */
export interface JobStart {
  queuedAt: number;
  signal: AbortSignal;
}

interface State {
  // member → analyst → ids; Map keeps insertion order, which serves as the rotation order.
  members: Map<string, Map<string, { id: string; queuedAt: number }[]>>;
  running: Map<string, AbortController>;
  active: number;
}

const holder = globalThis as typeof globalThis & { __runQueues?: Map<string, State> };

/** Takes the next job fairly and rotates its member and analyst to the back. */
function next(state: State): { id: string; queuedAt: number } | undefined {
  for (const [member, analysts] of state.members) {
    for (const [analyst, jobs] of analysts) {
      const job = jobs.shift()!;
      analysts.delete(analyst);
      if (jobs.length) analysts.set(analyst, jobs);
      state.members.delete(member);
      if (analysts.size) state.members.set(member, analysts);
      return job;
    }
  }
  return undefined;
}

function waitingOrder(state: State): string[] {
  // Simulates the rotation on copies.
  const copy: State = { members: new Map([...state.members].map(([m, a]) => [m, new Map([...a].map(([k, jobs]) => [k, [...jobs]]))])), running: new Map(), active: 0 };
  const order: string[] = [];
  for (let job = next(copy); job; job = next(copy)) order.push(job.id);
  return order;
}

export function createQueue(name: string, concurrency: () => number, run: (id: string, start: JobStart) => Promise<void>, onError: (id: string, error: unknown) => void): RunQueue {
  holder.__runQueues ??= new Map();
  const state: State = holder.__runQueues.get(name) ?? { members: new Map(), running: new Map(), active: 0 };
  holder.__runQueues.set(name, state);
  const pump = () => {
    while (state.active < concurrency()) {
      const job = next(state);
      if (!job) return;
      const controller = new AbortController();
      state.active++;
      state.running.set(job.id, controller);
      void run(job.id, { queuedAt: job.queuedAt, signal: controller.signal })
        .catch((error) => onError(job.id, error))
        .finally(() => {
          state.running.delete(job.id);
          state.active--;
          pump();
        });
    }
  };
  return {
    enqueue(id, owner) {
      const analysts = state.members.get(owner.member) ?? new Map<string, { id: string; queuedAt: number }[]>();
      state.members.set(owner.member, analysts);
      const jobs = analysts.get(owner.analyst) ?? [];
      analysts.set(owner.analyst, jobs);
      jobs.push({ id, queuedAt: performance.now() });
      pump();
    },
    interrupt(id) {
      const controller = state.running.get(id);
      controller?.abort();
      return !!controller;
    },
    get waiting() {
      return waitingOrder(state);
    },
    holds(id) {
      if (state.running.has(id)) return true;
      for (const analysts of state.members.values()) for (const jobs of analysts.values()) if (jobs.some((job) => job.id === id)) return true;
      return false;
    },
  };
}
