import type { WebSocket } from 'ws';
import { createRateLimiter } from '../domain/createRateLimiter.ts';
import { jsonNestingExceeds } from './jsonNestingExceeds.ts';

/** Options of `guardWebSocket`. */
export interface WebSocketGuardOptions {
  /** Deepest JSON nesting a message may have. */
  maxDepth: number;
  /** Messages per second a socket may send once its burst is spent. @default 50 */
  messagesPerSec?: number;
  /** Messages a socket may send at once. @default 200 */
  messageBurst?: number;
}

/**
 * Screens what a client sends on a WebSocket before tRPC parses it: a socket that floods messages
 * (thousands of subscribe calls a second) or sends hostile nesting is closed with 1008 (policy
 * violation) at the cost of a counter and a character scan. A browser or SDK sends a handful of
 * messages per connection, far below the defaults.
 */
export function guardWebSocket(ws: WebSocket, opts: WebSocketGuardOptions): void {
  const budget = createRateLimiter({
    ratePerSec: opts.messagesPerSec ?? 50,
    burst: opts.messageBurst ?? 200,
    maxKeys: 1,
  });
  const emit = ws.emit.bind(ws);
  let closed = false;
  function refuse(reason: string): boolean {
    if (!closed) {
      closed = true;
      ws.close(1008, reason);
      // A peer that never completes the closing handshake is dropped anyway.
      setTimeout(() => ws.terminate(), 2_000).unref();
    }
    return false;
  }
  // tRPC listens for 'message' itself; intercepting the emit is the one place that runs first.
  ws.emit = function screenMessage(event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'message') return emit(event, ...args);
    if (closed) return false;
    if (!budget.take('socket', 1).ok) return refuse('too many messages');
    const data = args[0];
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    if (jsonNestingExceeds(text, opts.maxDepth)) return refuse('JSON nested too deep');
    return emit(event, ...args);
  } as WebSocket['emit'];
}
