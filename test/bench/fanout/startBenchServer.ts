import type { BenchServer } from './benchServer.ts';
import type { ServerKind } from './fanoutProtocol.ts';
import { spawnFloorServer } from './spawnFloorServer.ts';
import { startLivetrail } from './startLivetrail.ts';

/** How the table names each server. */
export const SERVER_LABELS: Record<ServerKind, string> = {
  'bare-sse': 'bare Node SSE (floor)',
  'bare-ws': 'bare ws (floor)',
  'socket.io': 'Socket.IO 4 broadcast',
  'trpc-sse': 'livetrail tRPC SSE',
  'trpc-ws': 'livetrail tRPC WebSocket',
  'plain-sse': 'livetrail plain SSE',
};

/** A fresh server process for `kind`: a floor server, or livetrail (which serves all three of its kinds). */
export function startBenchServer(kind: ServerKind): Promise<BenchServer> {
  return kind === 'bare-sse' || kind === 'bare-ws' || kind === 'socket.io'
    ? spawnFloorServer(kind)
    : startLivetrail();
}
