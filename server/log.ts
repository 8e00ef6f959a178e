// Structured log lines on stderr. Callers pass facts, never secrets, passwords or keys.
type Level = "info" | "warn" | "error";

const rank: Record<Level, number> = { info: 0, warn: 1, error: 2 };

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const threshold = (process.env.LOG_LEVEL as Level | undefined) ?? "info";
  if (rank[level] < (rank[threshold] ?? 0)) return;
  const line = { time: new Date().toISOString(), level, message, ...fields };
  process.stderr.write(`${JSON.stringify(line, errorReplacer)}\n`);
}

function errorReplacer(_key: string, value: unknown) {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}
