import type { AgentEvent } from '@livetrail/client';

/** Characters of every seeded event's text: with the JSON around it, ~300 bytes stored. */
export const TEXT_CHARS = 200;

const WORDS = [
  'the',
  'agent',
  'reads',
  'file',
  'tool',
  'call',
  'returns',
  'output',
  'next',
  'step',
  'plan',
  'checks',
  'test',
  'fails',
  'passes',
  'patch',
  'diff',
  'module',
  'function',
  'error',
  'retry',
  'build',
  'server',
  'store',
  'session',
  'event',
  'stream',
  'cursor',
  'index',
  'commit',
];

/**
 * Seeded event `n` of a session: thought and assistant_message alternate, each a TEXT_CHARS-long
 * text of words picked by a cheap hash of `tag` and `n` (so texts differ, deterministically).
 */
export function seedEvent(tag: string, n: number): AgentEvent {
  let h = 2166136261;
  for (let i = 0; i < tag.length; i++) h = Math.imul(h ^ tag.charCodeAt(i), 16777619);
  h = Math.imul(h ^ n, 16777619) >>> 0;
  let text = `${tag} ${n}:`;
  while (text.length < TEXT_CHARS) {
    h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
    text += ` ${WORDS[h % WORDS.length]}`;
  }
  text = text.slice(0, TEXT_CHARS);
  return n % 2 === 0 ? { type: 'thought', text } : { type: 'assistant_message', text };
}
