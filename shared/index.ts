/**
 * @livetrail/client — the typed client for livetrail servers: the tRPC client, `followSession`
 * (exactly once, in order, across reconnects and the SSE → WebSocket fallback), the connection
 * states, and the event model. This entry uses the runtime's own EventSource and WebSocket (browsers);
 * the `node` export condition (`node.ts`) brings `eventsource` and `ws`. Everything a user of the
 * package may import is exported here; anything else is internal.
 */

export type { AppRouter } from '../server/routers/_app.ts';
export {
  AGENT_EVENT_TYPES,
  type AgentEvent,
  type AgentEventType,
  type AgentState,
  agentEventSchema,
  agentStateSchema,
  type CompactedMessage,
  type CompletionStatus,
  completionStatusSchema,
  INTERRUPT_REASON_CHARS,
  type InterruptEvent,
  isCompacted,
  type StoredEvent,
  type StreamEvent,
  type StreamedRole,
  storedFieldsSchema,
} from './agentEvent.ts';
export type {
  ConnectionPolicy,
  ConnectionState,
  ConnectionStatus,
  TransportMode,
} from './connection/connectionState.ts';
export type {
  AttemptHandlers,
  ConnectionManager,
  ConnectionManagerOptions,
} from './connection/createConnectionManager.ts';
export { createConnectionManager } from './connection/createConnectionManager.ts';
export { type FollowSessionOptions, followSession } from './connection/followSession.ts';
export { type IdempotentRetryOptions, retryJitterMs } from './connection/idempotentRetryLink.ts';
export { retryAfterMs } from './connection/rateLimitRetryLink.ts';
export {
  createLivetrailClient,
  type LivetrailClient,
  type LivetrailClientOptions,
  type Transport,
} from './createLivetrailClient.ts';
export { describeError, networkErrorCode } from './describeError.ts';
export { newIdempotencyKey } from './idempotencyKey.ts';
export { idempotencyKeySchema } from './idempotencyKeySchema.ts';
export { isRetryableError } from './isRetryableError.ts';
export { type JsonValue, jsonValueSchema } from './jsonValueSchema.ts';
export { LIMITS } from './limits.ts';
export { ERROR_CODES, type LivetrailErrorCode } from './livetrailError.ts';
export { initialSession, reduceSession } from './reduceSession.ts';
export { ROLES, type Role } from './roles.ts';
export {
  type CreateSessionInput,
  createSessionInputSchema,
  isFinished,
  type OpenMessage,
  type Session,
  type SessionStatus,
  type SessionTotals,
  sessionIdSchema,
  sessionStatusSchema,
} from './session.ts';
export {
  compareStreamCursors,
  formatStreamCursor,
  parseStreamCursor,
  type StreamCursor,
} from './streamCursor.ts';
export {
  type MessageAppender,
  type StreamMessageClient,
  type StreamMessageOptions,
  type StreamMessageResult,
  streamMessage,
} from './streamMessage.ts';
export type {
  FeedCursor,
  HeadMessage,
  ResetReason,
  SessionListMessage,
  SessionStreamMessage,
  TabFeedMessage,
} from './streamMessages.ts';
