// A run queue with a concurrency limit, per process. It holds only ids: what each job is, and
// how far it got, lives in the store, so a restart loses nothing (the caller re-enqueues).

export interface RunQueue {
  enqueue(id: string): void;
  /** Signals a running job to stop; false when the job is not running here. */
  interrupt(id: string): boolean;
  /** Jobs waiting for a slot. */
  readonly waiting: string[];
}

interface State {
  waiting: string[];
  running: Map<string, AbortController>;
  active: number;
}

const holder = globalThis as typeof globalThis & { __runQueues?: Map<string, State> };

export function createQueue(name: string, concurrency: () => number, run: (id: string, signal: AbortSignal) => Promise<void>, onError: (id: string, error: unknown) => void): RunQueue {
  holder.__runQueues ??= new Map();
  const state: State = holder.__runQueues.get(name) ?? { waiting: [], running: new Map(), active: 0 };
  holder.__runQueues.set(name, state);
  const pump = () => {
    while (state.active < concurrency() && state.waiting.length) {
      const id = state.waiting.shift()!;
      const controller = new AbortController();
      state.active++;
      state.running.set(id, controller);
      void run(id, controller.signal)
        .catch((error) => onError(id, error))
        .finally(() => {
          state.running.delete(id);
          state.active--;
          pump();
        });
    }
  };
  return {
    enqueue(id) {
      state.waiting.push(id);
      pump();
    },
    interrupt(id) {
      const controller = state.running.get(id);
      controller?.abort();
      return !!controller;
    },
    get waiting() {
      return state.waiting;
    },
  };
}
