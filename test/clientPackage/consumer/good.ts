// A correct use of @livetrail/client, type-checked against the installed tarball (clientPackage.int).
import {
  type AgentEvent,
  type ConnectionState,
  createLivetrailClient,
  followSession,
  type Session,
  type SessionStreamMessage,
} from '@livetrail/client';

const url = process.env.LIVETRAIL_URL ?? 'http://127.0.0.1:3000';
const { api, close } = createLivetrailClient({ url, token: process.env.LIVETRAIL_TOKEN });
const session: Session = await api.sessions.create.mutate({ title: 'typed', agent: 'tsc' });
const events: AgentEvent[] = [
  { type: 'tool_call', callId: 'c1', tool: 'bash', args: { cmd: 'ls' } },
  { type: 'tool_result', callId: 'c1', tool: 'bash', ok: true, output: ['a', 'b'] },
];
const { seqs }: { seqs: number[] } = await api.events.append.mutate({ sessionId: session.id, events });
const page = await api.events.list.query({ sessionId: session.id });
const firstTool: string | undefined = page.events.find((e) => e.type === 'tool_call')?.type;

function label(s: ConnectionState): string {
  return s.status === 'reconnecting' ? `retry at ${s.retryAt}` : s.status;
}
function kind(m: SessionStreamMessage): string {
  return m.kind === 'event' ? `#${m.event.seq}` : `reset (${m.reason})`;
}
followSession({
  url,
  sessionId: session.id,
  afterSeq: seqs.at(-1) ?? 0,
  onEvent: (e) => console.log(e.seq, e.type === 'tool_result' ? e.ok : e.type, firstTool),
  onState: (s) => console.log(label(s)),
  onEnd: close,
});
console.log(kind({ kind: 'reset', reason: 'recovered', headSeq: 0 }));
