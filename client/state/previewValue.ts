import { stripTerminal } from './terminalText.ts';

/**
 * A one-line preview of a JSON value, at most `max` characters (then "…"): strings as they are, other
 * values as compact JSON. Stops walking once it has enough, so a 256 KB value costs no more than a small one;
 * control sequences are dropped and whitespace runs become one space.
 */
export function previewValue(value: unknown, max = 80): string {
  const limit = max + 1;
  let out = '';
  const walk = (v: unknown): void => {
    if (out.length >= limit) return;
    if (typeof v === 'string') {
      out += JSON.stringify(stripTerminal(v.slice(0, limit)));
    } else if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length && out.length < limit; i++) {
        if (i > 0) out += ',';
        walk(v[i]);
      }
      out += ']';
    } else if (v !== null && typeof v === 'object') {
      out += '{';
      let first = true;
      for (const key in v) {
        if (out.length >= limit) break;
        if (!Object.hasOwn(v, key)) continue;
        out += `${first ? '' : ','}${JSON.stringify(stripTerminal(key.slice(0, limit)))}:`;
        first = false;
        walk((v as Record<string, unknown>)[key]);
      }
      out += '}';
    } else {
      out += String(v);
    }
  };
  if (typeof value === 'string') out = stripTerminal(value.slice(0, limit * 4));
  else walk(value);
  const line = out.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
