/** A byte count as people read it: "512 bytes", "1.5 MB", "12 GB" (binary units). */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** How long a query ran, from its start and end: "0.4 s", "2 min 5 s"; "—" while it runs. */
export function formatDuration(startedAt: Date, finishedAt: Date | null): string {
  if (!finishedAt) return "—";
  const seconds = Math.max(0, (finishedAt.getTime() - startedAt.getTime()) / 1000);
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** A number with thousands separators and at most four decimals, as people read it. */
export function formatNumber(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: 4 });
}

/** A moment as the console shows it everywhere: UTC, to the second ("2026-11-28 13:05:09 UTC"). */
export function formatDateTime(at: Date): string {
  return `${at.toISOString().replace("T", " ").slice(0, 19)} UTC`;
}
