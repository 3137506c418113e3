import type { Agent } from 'node:http';
import { requestOnce } from './requestOnce.ts';

/** Creates a session as the attacker, from the attacker's own source address, and resolves its id. */
export async function createAttackerSession(opts: {
  url: string;
  token: string;
  source: string;
  agent: Agent;
  signal: AbortSignal;
  title: string;
}): Promise<string> {
  const res = await requestOnce({
    ...opts,
    path: '/trpc/sessions.create',
    method: 'POST',
    headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: opts.title }),
    keepBody: true,
  });
  const answer =
    res.status === 200 ? (JSON.parse(res.text!) as { result?: { data?: { id?: string } } }) : undefined;
  const id = answer?.result?.data?.id;
  if (!id) throw new Error(`sessions.create answered ${res.status}: ${res.text?.slice(0, 200)}`);
  return id;
}
