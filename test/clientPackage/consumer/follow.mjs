// Follows a session to `complete` with the installed package, as a plain-JS Node service would.
// Prints {"sessionId", "seqs"} on stdout; the process must end by itself (no handles left open).
import { createLivetrailClient, followSession } from '@livetrail/client';

const url = process.env.LIVETRAIL_URL;
const { api, close } = createLivetrailClient({ url });
const session = await api.sessions.create.mutate({ title: 'from the tarball', agent: 'consumer' });
await api.events.append.mutate({
  sessionId: session.id,
  events: [{ type: 'assistant_message', text: 'before the follower' }],
});

async function produce() {
  for (let i = 0; i < 5; i++)
    await api.events.append.mutate({
      sessionId: session.id,
      events: [{ type: 'thought', text: `live ${i}` }],
    });
  await api.sessions.complete.mutate({ sessionId: session.id, status: 'succeeded', summary: 'done' });
}

const seqs = [];
await new Promise((resolve, reject) => {
  const follower = followSession({
    url,
    sessionId: session.id,
    onEvent(event) {
      seqs.push(event.seq);
      if (event.seq === 1) produce().catch(reject);
    },
    onEnd() {
      follower.close();
      resolve();
    },
    onState(state) {
      if (state.status === 'failed') reject(new Error(state.error));
    },
  });
});
close();
console.log(JSON.stringify({ sessionId: session.id, seqs }));
