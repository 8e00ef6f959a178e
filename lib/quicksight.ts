/**
 * A QuickSight dashboard link as an admin may set it: https, on QuickSight's own domain (the
 * console sends users there, so nothing else may pass as one). Returns the normalized URL, or null.
 */
export function quicksightDashboardUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || url.username || url.password || url.port) return null;
  if (!/^([a-z0-9-]+\.)?quicksight\.aws\.amazon\.com$/.test(url.hostname)) return null;
  if (!/^\/sn\/(account\/[^/]+\/)?dashboards\/[A-Za-z0-9-]+/.test(url.pathname)) return null;
  return url.toString();
}
