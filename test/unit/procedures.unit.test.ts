import { TRPCError } from '@trpc/server';
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/limits.ts';
import { createTestCaller } from '../support/createTestCaller.ts';

type Fixture = ReturnType<typeof createTestCaller>;
const fixtures: Fixture[] = [];
function fixture(opts: Parameters<typeof createTestCaller>[0] = {}): Fixture {
  const f = createTestCaller(opts);
  fixtures.push(f);
  return f;
}
afterEach(() => {
  for (const f of fixtures.splice(0)) f.close();
});

/** The TRPCError a call rejects with. */
async function refusal(call: Promise<unknown>): Promise<TRPCError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

/** The path of a validation error's first issue, as the API's message names it. */
function firstIssuePath(err: TRPCError): string {
  const issues = (err.cause as { issues?: { path: PropertyKey[] }[] } | undefined)?.issues ?? [];
  return (issues[0]?.path ?? []).map(String).join('.');
}

const thoughts = (n: number) => Array.from({ length: n }, () => ({ type: 'thought' as const, text: 't' }));

describe('procedures called in-process', () => {
  describe('input validation', () => {
    it.each([
      ['sessions.create', { title: '' }, 'title'],
      ['sessions.create', { title: 'x'.repeat(LIMITS.nameChars + 1) }, 'title'],
      ['sessions.get', { sessionId: 'bad id' }, 'sessionId'],
      ['events.list', { sessionId: 'abc', limit: 1001 }, 'limit'],
      ['events.list', { sessionId: 'abc', after: -1 }, 'after'],
      ['events.append', { sessionId: 'abc', events: [{ type: 'nope' }] }, 'events.0.type'],
      [
        'events.append',
        { sessionId: 'abc', events: [{ type: 'cost', usd: -1, inputTokens: 0, outputTokens: 0 }] },
        'events.0.usd',
      ],
      ['sessions.sendMessage', { sessionId: 'abc', text: '   ' }, 'text'],
      ['sessions.complete', { sessionId: 'abc', status: 'done' }, 'status'],
      ['sessions.delete', { sessionId: 'bad id' }, 'sessionId'],
    ] as const)('%s refuses %j as BAD_REQUEST naming %s', async (path, input, field) => {
      const { caller } = fixture();
      const [group, name] = path.split('.') as ['sessions' | 'events', string];
      const proc = (caller as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>)[
        group
      ]![name]!;
      const err = await refusal(proc(input));
      expect(err.code).toBe('BAD_REQUEST');
      expect(firstIssuePath(err)).toBe(field);
    });

    it('takes a batch of exactly 1000 events and refuses 1001 as PAYLOAD_TOO_LARGE before validating', async () => {
      const { caller, store } = fixture();
      const s = await store.createSession({ title: 'batch', agent: 'a' });
      const ok = await caller.events.append({ sessionId: s.id, events: thoughts(LIMITS.batchEvents) });
      expect(ok.seqs).toHaveLength(1000);
      // One bad event in the oversized batch: the size is refused first, so no event is looked at.
      const oversized = [...thoughts(LIMITS.batchEvents), { type: 'nope' }] as never[];
      const err = await refusal(caller.events.append({ sessionId: s.id, events: oversized }));
      expect(err.code).toBe('PAYLOAD_TOO_LARGE');
      expect(err.message).toBe('events: at most 1000 events per batch (got 1001)');
      expect((await store.getSession(s.id))!.lastSeq).toBe(1000);
    });
  });

  describe('roles', () => {
    it('refuses every procedure without a principal when auth is on', async () => {
      const { as, store } = fixture();
      const s = await store.createSession({ title: 'r', agent: 'a' });
      const anon = as(undefined);
      for (const call of [
        () => anon.sessions.list(),
        () => anon.sessions.get({ sessionId: s.id }),
        () => anon.events.list({ sessionId: s.id }),
        () => anon.sessions.create({ title: 'x' }),
        () => anon.events.append({ sessionId: s.id, events: thoughts(1) }),
        () => anon.sessions.sendMessage({ sessionId: s.id, text: 'hi' }),
        () => anon.sessions.complete({ sessionId: s.id, status: 'succeeded' }),
        () => anon.sessions.delete({ sessionId: s.id }),
      ]) {
        expect((await refusal(call())).code).toBe('UNAUTHORIZED');
      }
      expect((await store.getSession(s.id))!.lastSeq).toBe(0);
    });

    it('lets only an admin delete a session, and answers NOT_FOUND once it is gone', async () => {
      const { as, caller, store } = fixture();
      const s = await store.createSession({ title: 'r', agent: 'a' });
      for (const role of ['agent', 'viewer'] as const) {
        const refused = await refusal(as({ role, label: `${role}#1` }).sessions.delete({ sessionId: s.id }));
        expect(refused).toMatchObject({
          code: 'FORBIDDEN',
          message: `this needs admin; the token's role is ${role}`,
        });
      }
      expect(await store.getSession(s.id)).toBeDefined();
      await expect(caller.sessions.delete({ sessionId: s.id })).resolves.toEqual({ deleted: true });
      expect(await store.getSession(s.id)).toBeUndefined();
      const again = await refusal(caller.sessions.delete({ sessionId: s.id }));
      expect(again).toMatchObject({ code: 'NOT_FOUND', message: `sessionId: no session ${s.id}` });
    });

    it('lets a viewer read and talk but not produce, and an agent produce but not talk', async () => {
      const { as, store } = fixture();
      const s = await store.createSession({ title: 'r', agent: 'a' });
      const viewer = as({ role: 'viewer', label: 'viewer#1' });
      const agent = as({ role: 'agent', label: 'agent#1' });
      expect((await viewer.sessions.list()).sessions).toHaveLength(1);
      await expect(viewer.sessions.sendMessage({ sessionId: s.id, text: 'hi' })).resolves.toEqual({
        seq: 1,
        duplicate: false,
      });
      const noAppend = await refusal(viewer.events.append({ sessionId: s.id, events: thoughts(1) }));
      expect(noAppend).toMatchObject({
        code: 'FORBIDDEN',
        message: "this needs agent or admin; the token's role is viewer",
      });
      await expect(agent.events.append({ sessionId: s.id, events: thoughts(1) })).resolves.toEqual({
        seqs: [2],
        duplicate: false,
      });
      const noTalk = await refusal(agent.sessions.sendMessage({ sessionId: s.id, text: 'hi' }));
      expect(noTalk).toMatchObject({
        code: 'FORBIDDEN',
        message: "this needs viewer or admin; the token's role is agent",
      });
    });

    it('treats everyone as an admin when auth is off', async () => {
      const { caller, ctx } = fixture({ auth: false, principal: { role: 'admin', label: 'anonymous' } });
      // The principal auth-off hands every caller.
      expect(ctx.auth.authenticate(undefined)).toEqual({ role: 'admin', label: 'anonymous' });
      const made = await caller.sessions.create({ title: 'open house' });
      expect(made).toMatchObject({ title: 'open house' });
      await expect(caller.sessions.delete({ sessionId: made.id })).resolves.toEqual({ deleted: true });
    });
  });

  describe('append budget', () => {
    it('spends exactly the burst, then answers TOO_MANY_REQUESTS with the wait', async () => {
      const { as, store } = fixture({ limits: { appendRatePerSec: 1, appendBurst: 10 } });
      const s = await store.createSession({ title: 'budget', agent: 'a' });
      const agent = as({ role: 'agent', label: 'agent#1' });
      await agent.events.append({ sessionId: s.id, events: thoughts(10) });
      const err = await refusal(agent.events.append({ sessionId: s.id, events: thoughts(1) }));
      expect(err.code).toBe('TOO_MANY_REQUESTS');
      expect((err.cause as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(900);
      expect((await store.getSession(s.id))!.lastSeq).toBe(10);
      // A different token has its own budget; so does a person's message.
      const other = as({ role: 'agent', label: 'agent#2' });
      await expect(other.events.append({ sessionId: s.id, events: thoughts(1) })).resolves.toEqual({
        seqs: [11],
        duplicate: false,
      });
    });

    it('charges by client address when auth is off', async () => {
      const f = fixture({
        auth: false,
        limits: { appendRatePerSec: 1, appendBurst: 2 },
        clientIp: '192.0.2.1',
      });
      const s = await f.store.createSession({ title: 'ip', agent: 'a' });
      await f.caller.events.append({ sessionId: s.id, events: thoughts(2) });
      expect((await refusal(f.caller.events.append({ sessionId: s.id, events: thoughts(1) }))).code).toBe(
        'TOO_MANY_REQUESTS',
      );
    });

    it('does not charge reads', async () => {
      const { caller, store } = fixture({ limits: { appendRatePerSec: 1, appendBurst: 1 } });
      const s = await store.createSession({ title: 'reads', agent: 'a' });
      for (let i = 0; i < 5; i++) await caller.sessions.get({ sessionId: s.id });
      await expect(caller.events.append({ sessionId: s.id, events: thoughts(1) })).resolves.toEqual({
        seqs: [1],
        duplicate: false,
      });
    });
  });
});
