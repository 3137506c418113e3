/** Length of every event's text: with the JSON around it, each event is ~200 bytes on the wire. */
const TEXT_CHARS = 160;

/** What marks a phase's events: `fanout#<phase>@`; JSON-safe, so it reads the same in any encoding. */
export function phaseMarker(phase: number): string {
  return `fanout#${phase}@`;
}

/** An event text carrying its phase and its send time (`performance.now()` of the client process). */
export function eventText(phase: number, sentAt: number): string {
  return `${phaseMarker(phase)}${sentAt.toFixed(3)};`.padEnd(TEXT_CHARS, 'x');
}

/** The send time inside `text` (an event text or a whole frame holding one) of the phase, if there is one. */
export function readSentAt(text: string, marker: string): number | undefined {
  const start = text.indexOf(marker);
  if (start < 0) return undefined;
  const end = text.indexOf(';', start);
  const sentAt = Number(text.slice(start + marker.length, end));
  return end < 0 || Number.isNaN(sentAt) ? undefined : sentAt;
}
