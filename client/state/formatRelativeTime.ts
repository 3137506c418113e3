/** How long ago an ISO timestamp was, relative to `nowMs`: "just now", "12 s ago", "3 min ago", "2 h ago", "5 d ago". */
export function formatRelativeTime(iso: string, nowMs: number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  // Server and browser clocks differ a little; a timestamp slightly in the future is "just now".
  const seconds = Math.floor((nowMs - then) / 1000);
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}
