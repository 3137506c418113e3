import { startServerProcess } from '../../support/startServerProcess.ts';
import type { BenchServer } from './benchServer.ts';

/**
 * The real server (`node --import tsx server/main.ts`) on a free loopback port with the memory store,
 * auth off (no tokens, loopback) and the connection and append limits raised past what the bench uses.
 */
export async function startLivetrail(): Promise<BenchServer> {
  const server = await startServerProcess({
    env: {
      LIVETRAIL_STORE: 'memory',
      // Blank is unset: auth stays off even if the bench's own environment has tokens.
      LIVETRAIL_TOKENS: '',
      LIVETRAIL_AUTH: '',
      LIVETRAIL_MAX_CONNECTIONS: '20000',
      LIVETRAIL_MAX_CONNECTIONS_PER_IP: '20000',
      LIVETRAIL_APPEND_RATE: '100000',
      LIVETRAIL_APPEND_BURST: '100000',
      LOG_LEVEL: 'warn',
    },
  });
  return { url: server.url, pid: server.pid, output: server.output, stop: server.dispose };
}
