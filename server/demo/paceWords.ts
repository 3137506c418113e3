import { sleep } from './sleep.ts';

/** The demo's reading pace at speed 1, in characters per second: each message draws a rate in between. */
export const PACE_CPS = { min: 30, max: 60 } as const;

/** `text` in word-sized chunks, each word with the whitespace before it; they join back to `text`. */
export function wordChunks(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

/**
 * Yields `text` word by word, the way a model streams its tokens but at a pace a person can read
 * along with: each word after a pause as long as its characters take at a rate drawn once per call
 * from `PACE_CPS`, times `speed`. Rejects with the signal's reason as soon as it aborts.
 */
export async function* paceWords(text: string, speed: number, signal?: AbortSignal): AsyncGenerator<string> {
  const charsPerSecond = (PACE_CPS.min + Math.random() * (PACE_CPS.max - PACE_CPS.min)) * speed;
  for (const word of wordChunks(text)) {
    await sleep((word.length * 1000) / charsPerSecond, signal);
    yield word;
  }
}
