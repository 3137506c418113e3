/** A duration for people: "320 ms", "1.2 s", "12 s", "3 min 5 s", "1 h 5 min", "2 d 3 h". Negative or not finite → 0. */
export function formatDuration(ms: number): string {
  const t = Number.isFinite(ms) && ms > 0 ? ms : 0;
  if (t < 1000) return `${Math.floor(t)} ms`;
  if (t < 10_000) return `${(Math.floor(t / 100) / 10).toFixed(1)} s`;
  return wholeSeconds(Math.floor(t / 1000));
}

/** Time since something started, to the second (for a clock that ticks once a second): "0 s", "12 s", "1 h 5 min". */
export function formatElapsed(ms: number): string {
  const t = Number.isFinite(ms) && ms > 0 ? ms : 0;
  return wholeSeconds(Math.floor(t / 1000));
}

function wholeSeconds(s: number): string {
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return s % 60 ? `${min} min ${s % 60} s` : `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Milliseconds since the epoch of an ISO timestamp, or undefined if it does not parse. */
export function parseTs(ts: string | undefined): number | undefined {
  if (ts === undefined) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `to − from` in ms (at least 0), or undefined if either timestamp is missing or does not parse. */
export function durationBetween(from: string | undefined, to: string | undefined): number | undefined {
  const a = parseTs(from);
  const b = parseTs(to);
  return a === undefined || b === undefined ? undefined : Math.max(0, b - a);
}
