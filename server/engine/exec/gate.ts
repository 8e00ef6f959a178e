// Admission to the cores. One thread budget for every running sandbox: a query holds threads of
// it only while its sandbox runs (from its configuration being locked to the sandbox closing),
// not while it reads the catalog, is validated or its sandbox is prepared, so the next query's
// preparation overlaps the running one's execution and the cores stay busy without more threads
// than cores. A query admitted when nothing else wants the cores gets up to `maxThreads`; when
// others wait, each gets an even share of the budget (at least one thread), so twenty queries
// at once run two by two on two cores rather than twenty on two. Places go in the order asked
// for; the queue in front (fair between members and analysts) decides that order.

export interface Admission {
  threads: number;
  /** Gives the threads back (once). */
  leave(): void;
}

export interface CoreGate {
  enter(): Promise<Admission>;
  /** How many wait for a turn now. */
  readonly waiting: number;
}

export interface CoreLimits {
  threadBudget: number;
  maxThreads: number;
  maxSandboxes: number;
}

interface State {
  used: number;
  running: number;
  waiting: ((threads: number) => void)[];
}

const holder = globalThis as typeof globalThis & { __coreGates?: Map<string, State> };

export function createCoreGate(name: string, limits: () => CoreLimits): CoreGate {
  holder.__coreGates ??= new Map();
  const state = holder.__coreGates.get(name) ?? { used: 0, running: 0, waiting: [] };
  holder.__coreGates.set(name, state);
  const admit = () => {
    const { threadBudget, maxThreads, maxSandboxes } = limits();
    while (state.waiting.length && state.running < maxSandboxes) {
      const free = threadBudget - state.used;
      if (free < 1) return;
      const wanting = Math.min(state.waiting.length + state.running, threadBudget);
      const share = Math.max(1, Math.min(maxThreads, Math.floor(threadBudget / wanting)));
      const threads = Math.min(share, free);
      state.used += threads;
      state.running++;
      state.waiting.shift()!(threads);
    }
  };
  return {
    enter() {
      return new Promise((resolve) => {
        state.waiting.push((threads) => {
          let left = false;
          resolve({
            threads,
            leave() {
              if (left) return;
              left = true;
              state.used -= threads;
              state.running--;
              admit();
            },
          });
        });
        admit();
      });
    },
    get waiting() {
      return state.waiting.length;
    },
  };
}
