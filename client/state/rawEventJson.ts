import { isCompacted } from '../../shared/isCompacted.ts';
import type { StreamedText, TrailEvent } from './trailState.ts';

/** Characters that reorder or hide text around them: shown as `\uXXXX` escapes (still the same JSON). */
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * A row's event as pretty JSON for the raw view: exactly what this page received (a stored event with
 * its `sessionId`, `seq` and `ts`; a streamed message as its compacted frame, with the text it has
 * now). Bidi controls and zero-width characters are written as JSON escapes, so the text on screen
 * is the JSON as it is, never reordered; it parses back to the same value.
 */
export function rawEventJson(event: TrailEvent, streamed?: StreamedText): string {
  const shown = isCompacted(event) && streamed ? { ...event, text: streamed.text } : event;
  return JSON.stringify(shown, null, 2).replace(
    INVISIBLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
