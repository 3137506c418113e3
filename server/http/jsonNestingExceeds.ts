/**
 * Whether JSON text nests arrays/objects deeper than `max`, found by one pass over the characters
 * (strings and their escapes skipped) that stops at the first level too deep. Cheap enough to run
 * on every request body before `JSON.parse`, which spends hundreds of milliseconds on a megabyte of
 * `[[[[…`. Malformed JSON is left for the parser to reject.
 */
export function jsonNestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
