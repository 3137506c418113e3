import { z } from 'zod';
import { jsonValueSchema } from './jsonValueSchema.ts';
import { LIMITS } from './limits.ts';

const text = z.string().max(LIMITS.textChars);
const name = z.string().min(1).max(LIMITS.nameChars);
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const tokens = z.number().int().nonnegative().max(LIMITS.tokensPerEvent);

/** What the agent is doing right now. */
export const agentStateSchema = z.enum(['idle', 'thinking', 'calling_tool', 'waiting_for_user']);
export type AgentState = z.infer<typeof agentStateSchema>;

/** How a session ended. */
export const completionStatusSchema = z.enum(['succeeded', 'failed', 'cancelled']);
export type CompletionStatus = z.infer<typeof completionStatusSchema>;

/** Longest reason a person may give when stopping a session (`interrupt`), in characters. */
export const INTERRUPT_REASON_CHARS = 1000;

/** One event of an agent's trail, as a producer sends it (flat, discriminated on `type`). */
export const agentEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user_message'), text }),
  z.object({ type: z.literal('assistant_message'), text }),
  z.object({ type: z.literal('thought'), text }),
  z.object({ type: z.literal('tool_call'), callId: name, tool: name, args: jsonValueSchema }),
  z.object({
    type: z.literal('tool_result'),
    callId: name,
    tool: name,
    ok: z.boolean(),
    output: jsonValueSchema,
  }),
  z.object({
    type: z.literal('state'),
    agentState: agentStateSchema,
    llmCallsInFlight: count,
    toolCallsInFlight: count,
  }),
  z.object({
    type: z.literal('cost'),
    usd: z.number().nonnegative().max(LIMITS.costUsdPerEvent),
    inputTokens: tokens,
    outputTokens: tokens,
  }),
  z.object({ type: z.literal('error'), message: text }),
  // A message streamed delta by delta (see "Token streaming" in README): start, deltas, end.
  z.object({ type: z.literal('message_start'), messageId: name, role: z.enum(['assistant', 'thought']) }),
  z.object({ type: z.literal('message_delta'), messageId: name, text: text.min(1) }),
  z.object({ type: z.literal('message_end'), messageId: name }),
  z.object({ type: z.literal('complete'), status: completionStatusSchema, summary: text.optional() }),
  // A person asked the agent to stop (`sessions.interrupt`); the agent ends with `complete` `cancelled`.
  z.object({ type: z.literal('interrupt'), reason: z.string().max(INTERRUPT_REASON_CHARS).optional() }),
]);
export type AgentEvent = z.infer<typeof agentEventSchema>;
export type AgentEventType = AgentEvent['type'];

/** Every event type, in the order of the union. */
export const AGENT_EVENT_TYPES = agentEventSchema.options.map((o) => o.shape.type.value) as AgentEventType[];

/** Fields the store adds to every event it accepts. */
export const storedFieldsSchema = z.object({
  sessionId: z.string(),
  /** 1, 2, 3 … per session, gap-free, assigned by the store. */
  seq: z.number().int().positive(),
  /** When the store accepted it (ISO 8601). */
  ts: z.string(),
});

/** An event as stored and streamed: the producer's event plus sessionId, seq and ts. */
export type StoredEvent = AgentEvent & z.infer<typeof storedFieldsSchema>;

/** A stored `interrupt`: a person asked the agent to stop (see `followSession`'s `onInterrupt`). */
export type InterruptEvent = Extract<StoredEvent, { type: 'interrupt' }>;

/** Who a streamed message is from: the agent's reply, or its thinking. */
export type StreamedRole = Extract<AgentEvent, { type: 'message_start' }>['role'];

/**
 * A streamed message sent as one frame instead of its start, deltas and end (never stored): what a
 * subscriber that was not following live gets in backfill. `text` is the message's text from its
 * start through `seq`, the last of its events it covers; `startSeq` is where its `message_start` sits.
 * `open` says deltas follow live; `incomplete` says `complete` ended it without `message_end`.
 * Typed as an `assistant_message` / `thought`, so consumers that know nothing of deltas show it whole.
 */
export interface CompactedMessage {
  type: 'assistant_message' | 'thought';
  text: string;
  messageId: string;
  startSeq: number;
  /** When its `message_start` was stored: where (and when) a viewer shows the message began. */
  startTs: string;
  sessionId: string;
  seq: number;
  ts: string;
  open?: true;
  incomplete?: true;
}

/** What a session stream carries: stored events, and compacted streamed messages. */
export type StreamEvent = StoredEvent | CompactedMessage;

export { compactedType, isCompacted } from './isCompacted.ts';
