import { isCompacted } from '../../shared/isCompacted.ts';
import type { StreamedText, TrailEvent } from './trailState.ts';

/**
 * Characters that reorder or hide text around them, shown as `\uXXXX` escapes (still the same JSON):
 * bidi marks, overrides and isolates; zero-width and invisible formatting characters (soft hyphen,
 * Mongolian vowel separator, word joiner…, BOM); line and paragraph separators; variation selectors;
 * and the tag characters U+E0000–E007F, invisible text that can smuggle instructions.
 */
const INVISIBLE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: each one is matched alone, on purpose (variation selectors too)
  /[\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufe00-\ufe0f\ufeff\u{e0000}-\u{e007f}]/gu;

/** A character as JSON `\uXXXX` escapes, one per UTF-16 unit (a surrogate pair beyond the BMP). */
function escapeUnits(c: string): string {
  let out = '';
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/**
 * A row's event as pretty JSON for the raw view: exactly what this page received (a stored event with
 * its `sessionId`, `seq` and `ts`; a streamed message as its compacted frame, with the text it has
 * now). Bidi controls and zero-width characters are written as JSON escapes, so the text on screen
 * is the JSON as it is, never reordered; it parses back to the same value.
 */
export function rawEventJson(event: TrailEvent, streamed?: StreamedText): string {
  const shown = isCompacted(event) && streamed ? { ...event, text: streamed.text } : event;
  return JSON.stringify(shown, null, 2).replace(INVISIBLE, escapeUnits);
}
