// A wrong use: a tool_result without callId must not compile (clientPackage.int expects the error).
import { createLivetrailClient } from '@livetrail/client';

const { api } = createLivetrailClient({ url: 'http://127.0.0.1:3000' });
await api.events.append.mutate({
  sessionId: 'x',
  events: [{ type: 'tool_result', tool: 'bash', ok: true, output: 'done' }],
});
