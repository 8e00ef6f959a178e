import { afterEach, expect, it } from "vitest";
import { protectedQueryResources } from "@/server/config";
import { createCoreGate } from "./gate";
import { createQueue } from "./queue";

// Who runs next, how many run at once, and with what share of the machine.

afterEach(() => {
  for (const name of ["PROTECTED_QUERY_THREAD_BUDGET", "PROTECTED_QUERY_THREADS", "PROTECTED_QUERY_CONCURRENCY", "PROTECTED_QUERY_MEMORY_BUDGET_MB", "PROTECTED_QUERY_MEMORY_LIMIT"])
    delete process.env[name];
});

it("serves members in turn, and the analysts of one member in turn, each analyst's queries in order", async () => {
  let slots = 0;
  const started: string[] = [];
  const queue = createQueue(
    `fairness-${Math.random()}`,
    () => slots,
    async (id) => void started.push(id),
    () => {},
  );
  // Member A's first analyst submits three, then A's second analyst one, then member B one.
  queue.enqueue("a1-1", { member: "A", analyst: "a1" });
  queue.enqueue("a1-2", { member: "A", analyst: "a1" });
  queue.enqueue("a1-3", { member: "A", analyst: "a1" });
  queue.enqueue("a2-1", { member: "A", analyst: "a2" });
  queue.enqueue("b1-1", { member: "B", analyst: "b1" });
  expect(queue.waiting).toEqual(["a1-1", "b1-1", "a2-1", "a1-2", "a1-3"]);
  slots = 1;
  queue.enqueue("b1-2", { member: "B", analyst: "b1" });
  await new Promise((r) => setTimeout(r, 20));
  expect(started).toEqual(["a1-1", "b1-1", "a2-1", "b1-2", "a1-2", "a1-3"]);
  expect(queue.waiting).toEqual([]);
});

it("gives a query alone every thread it may have, and shares the budget evenly when others wait", async () => {
  const gate = createCoreGate(`cores-${Math.random()}`, () => ({ threadBudget: 4, maxThreads: 4, maxSandboxes: 4 }));
  const alone = await gate.enter();
  expect(alone.threads).toBe(4);
  // Three more ask while it runs: none gets in until it leaves, then each gets a third of the budget, rounded down.
  const admitted: number[] = [];
  const later = [gate.enter(), gate.enter(), gate.enter()].map((p) => p.then((a) => (admitted.push(a.threads), a)));
  await new Promise((r) => setTimeout(r, 10));
  expect(admitted).toEqual([]);
  alone.leave();
  alone.leave(); // given back once only
  const [a, b, c] = await Promise.all(later);
  expect(admitted).toEqual([1, 1, 1]);
  // A newcomer while two run gets an even share too (a third of four), though two threads are free;
  // when it is alone again, it gets them all.
  a!.leave();
  const newcomer = await gate.enter();
  expect(newcomer.threads).toBe(1);
  newcomer.leave();
  b!.leave();
  c!.leave();
  expect((await gate.enter()).threads).toBe(4);
});

it("never runs more sandboxes at once than allowed, nor more threads than the budget", async () => {
  const gate = createCoreGate(`cores-${Math.random()}`, () => ({ threadBudget: 2, maxThreads: 2, maxSandboxes: 2 }));
  const running = new Set<number>();
  let most = 0;
  let mostThreads = 0;
  await Promise.all(
    Array.from({ length: 12 }, async (_, i) => {
      const admission = await gate.enter();
      running.add(i);
      most = Math.max(most, running.size);
      mostThreads = Math.max(mostThreads, [...running].length * admission.threads);
      await new Promise((r) => setTimeout(r, 2 + (i % 3)));
      running.delete(i);
      admission.leave();
    }),
  );
  expect(most).toBe(2);
  expect(mostThreads).toBeLessThanOrEqual(2);
});

it("splits one thread budget and one memory budget between the queries running at once", () => {
  process.env.PROTECTED_QUERY_THREAD_BUDGET = "2";
  process.env.PROTECTED_QUERY_MEMORY_BUDGET_MB = "4000";
  const two = protectedQueryResources();
  expect(two).toMatchObject({ threadBudget: 2, maxThreads: 2, maxSandboxes: 2 });
  // Memory follows threads: a query alone with both threads may use it all, one of two half.
  expect([two.memoryFor(2), two.memoryFor(1)]).toEqual([4000, 2000]);
  process.env.PROTECTED_QUERY_THREADS = "8";
  process.env.PROTECTED_QUERY_CONCURRENCY = "1";
  expect(protectedQueryResources()).toMatchObject({ maxThreads: 2, maxSandboxes: 1 });
  // A per-query limit caps the share.
  process.env.PROTECTED_QUERY_MEMORY_LIMIT = "512MB";
  expect(protectedQueryResources().memoryFor(2)).toBe(512);
  process.env.PROTECTED_QUERY_MEMORY_LIMIT = "1GB";
  expect(protectedQueryResources().memoryFor(2)).toBe(1024);
  process.env.PROTECTED_QUERY_MEMORY_LIMIT = "lots";
  expect(() => protectedQueryResources()).toThrow(/must be a size such as 512MB/);
});
