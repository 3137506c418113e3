import { z } from 'zod';
import type { agentStateSchema, StreamedRole } from './agentEvent.ts';
import { LIMITS } from './limits.ts';
import { SESSION_ID_PATTERN } from './sessionHelpers.ts';

/** Session ids are server-generated, URL-safe and unguessable (128 random bits, base64url). */
export const sessionIdSchema = z
  .string()
  .regex(SESSION_ID_PATTERN, 'must be a session id (1–64 of A–Z a–z 0–9 _ -)');

/**
 * A resume position as tRPC hands it to a subscription (from `Last-Event-ID` or the link's own
 * `lastEventId`): always a string, bounded; each stream parses its own cursor format from it.
 */
export const lastEventIdSchema = z.string().max(64).nullish();

/** Overall status of a session, derived from its events. */
export const sessionStatusSchema = z.enum([
  'running',
  'waiting_for_user',
  'succeeded',
  'failed',
  'cancelled',
]);
export type SessionStatus = z.infer<typeof sessionStatusSchema>;

/** Input of `sessions.create`. */
export const createSessionInputSchema = z.object({
  title: z.string().trim().min(1).max(LIMITS.nameChars),
  agent: z.string().trim().min(1).max(LIMITS.nameChars).optional(),
});
export type CreateSessionInput = z.infer<typeof createSessionInputSchema>;

/** Running totals over a session's events. */
export interface SessionTotals {
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  /** Number of `cost` events: each LLM call reports its cost once. */
  llmCalls: number;
  /** Number of `tool_call` events. */
  toolCalls: number;
}

/** A message being streamed (see `Session.openMessages`). */
export interface OpenMessage {
  messageId: string;
  role: StreamedRole;
  /** Seq of its `message_start`. */
  startSeq: number;
  chars: number;
}

/** A session: what it was created with plus everything derived from its events. */
export interface Session {
  id: string;
  title: string;
  agent: string;
  /** ISO 8601. */
  createdAt: string;
  status: SessionStatus;
  /** Seq of the newest event; 0 when there is none. */
  lastSeq: number;
  /** ISO 8601 timestamp of the newest event, or createdAt. */
  lastActivityAt: string;
  totals: SessionTotals;
  agentState: z.infer<typeof agentStateSchema>;
  llmCallsInFlight: number;
  toolCallsInFlight: number;
  /**
   * Messages being streamed now (started, not yet ended), oldest first; absent when none. `chars`
   * is the text so far, held to `LIMITS.textChars`.
   */
  openMessages?: OpenMessage[];
  /**
   * Set by the first `interrupt` event: a person asked the agent to stop (seq and time of that
   * request, and its reason). The session runs on until the agent completes it (as `cancelled`);
   * the mark stays after that, so a finished session still says it was stopped by a person.
   */
  interruptRequested?: { seq: number; at: string; reason?: string };
  /** From the `complete` event, when there is one. */
  summary?: string;
  /**
   * Set when a damaged embedded store was recovered: events `keptThrough + 1 … lostThrough` were
   * lost, and seqs from `keptThrough + 1` on are given to new events. A client that resumes from
   * inside that range is reset, never silently handed different events under seqs it has seen.
   */
  recovered?: { keptThrough: number; lostThrough: number; at: string };
}

export { isFinished, newestActivity } from './sessionHelpers.ts';
