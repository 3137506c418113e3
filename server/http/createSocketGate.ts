import type { WebSocket } from 'ws';

/** Bytes queued on a WebSocket above which sending pauses, by default. */
export const SOCKET_HIGH_WATER_BYTES = 1024 * 1024;

/** Options of a socket gate. */
export interface SocketGateOptions {
  /** Bytes queued on the socket above which sending pauses. @default 1 MiB */
  highWaterBytes?: number;
  /** A reader still over the mark after this long is disconnected; it resumes from its last id. @default 15000 */
  maxStallMs?: number;
  /** @default 25 */
  pollMs?: number;
  /** Called when a stuck reader is disconnected. */
  onCut?: () => void;
}

/**
 * Backpressure for WebSocket subscriptions (tRPC's WS handler sends without looking): before each
 * message a stream awaits the gate, which waits while the socket has more than the high-water mark
 * queued and terminates a reader that stays stuck. Memory per slow reader stays bounded: the queued
 * bytes plus the stream's bounded hold-back.
 */
export function createSocketGate(
  ws: Pick<WebSocket, 'bufferedAmount' | 'terminate' | 'readyState'>,
  options: SocketGateOptions = {},
) {
  const { highWaterBytes = SOCKET_HIGH_WATER_BYTES, maxStallMs = 15_000, pollMs = 25 } = options;
  return async function waitForCapacity(signal?: AbortSignal): Promise<void> {
    if (ws.bufferedAmount <= highWaterBytes) return;
    const started = Date.now();
    while (ws.bufferedAmount > highWaterBytes && !signal?.aborted && ws.readyState === 1) {
      if (Date.now() - started > maxStallMs) {
        ws.terminate();
        options.onCut?.();
        return;
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
}
