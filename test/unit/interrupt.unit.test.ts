import { TRPCError } from '@trpc/server';
import { afterEach, describe, expect, it } from 'vitest';
import { planAppend } from '../../server/domain/planAppend.ts';
import { agentEventSchema, INTERRUPT_REASON_CHARS } from '../../shared/agentEvent.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import { createTestCaller } from '../support/createTestCaller.ts';
import { foldEvents } from '../support/foldEvents.ts';

const NOW = '2026-03-01T12:00:00.000Z';
const fresh = () =>
  initialSession({ id: 's1', title: 't', agent: 'a', createdAt: '2026-01-01T00:00:00.000Z' });

const fold = foldEvents;

describe('the interrupt event', () => {
  it('takes an optional reason of at most INTERRUPT_REASON_CHARS characters', () => {
    expect(agentEventSchema.safeParse({ type: 'interrupt' }).success).toBe(true);
    const at = { type: 'interrupt', reason: 'x'.repeat(INTERRUPT_REASON_CHARS) };
    expect(agentEventSchema.safeParse(at).success).toBe(true);
    const past = { type: 'interrupt', reason: 'x'.repeat(INTERRUPT_REASON_CHARS + 1) };
    expect(agentEventSchema.safeParse(past).success).toBe(false);
    expect(agentEventSchema.safeParse({ type: 'interrupt', reason: 5 }).success).toBe(false);
  });

  it('marks a running session as asked to stop, by its first request, without ending it', () => {
    const s = fold([
      { type: 'thought', text: 'working' },
      { type: 'interrupt', reason: 'wrong branch' },
      { type: 'interrupt', reason: 'again' },
    ]);
    expect(s.status).toBe('running');
    expect(s.interruptRequested).toEqual({ seq: 2, at: '2026-01-01T00:00:01.000Z', reason: 'wrong branch' });
    expect(s.lastSeq).toBe(3);
  });

  it('keeps the mark when the agent then completes as cancelled; no reason, no reason field', () => {
    const s = fold([{ type: 'interrupt' }, { type: 'complete', status: 'cancelled' }]);
    expect(s.status).toBe('cancelled');
    expect(s.interruptRequested).toEqual({ seq: 1, at: '2026-01-01T00:00:00.000Z' });
  });

  it('leaves a waiting session waiting, and a session without one unmarked', () => {
    const waiting = fold([
      { type: 'state', agentState: 'waiting_for_user', llmCallsInFlight: 0, toolCallsInFlight: 0 },
      { type: 'interrupt' },
    ]);
    expect(waiting.status).toBe('waiting_for_user');
    expect(fold([{ type: 'thought', text: 'x' }]).interruptRequested).toBeUndefined();
  });

  it('planAppend takes it while running and refuses it after complete', () => {
    const plan = planAppend(fresh(), [{ type: 'interrupt' }, { type: 'complete', status: 'cancelled' }], NOW);
    expect(plan.events.map((e) => [e.type, e.seq])).toEqual([
      ['interrupt', 1],
      ['complete', 2],
    ]);
    let err: unknown;
    try {
      planAppend(plan.session, [{ type: 'interrupt' }], NOW);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LivetrailError);
    expect((err as LivetrailError).code).toBe('CONFLICT');
  });
});

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

async function refusal(call: Promise<unknown>): Promise<TRPCError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

describe('sessions.interrupt', () => {
  it('stores { type: interrupt, reason } for a viewer and an admin, and refuses an agent and no token', async () => {
    const f = fixture();
    const s = await f.store.createSession({ title: 't', agent: 'a' });
    const viewer = f.as({ role: 'viewer', label: 'viewer#1' });
    await expect(viewer.sessions.interrupt({ sessionId: s.id, reason: '  stop now ' })).resolves.toEqual({
      seq: 1,
      duplicate: false,
    });
    await expect(f.caller.sessions.interrupt({ sessionId: s.id })).resolves.toMatchObject({ seq: 2 });
    const agent = await refusal(
      f.as({ role: 'agent', label: 'agent#1' }).sessions.interrupt({ sessionId: s.id }),
    );
    expect(agent.code).toBe('FORBIDDEN');
    const anon = await refusal(f.as(undefined).sessions.interrupt({ sessionId: s.id }));
    expect(anon.code).toBe('UNAUTHORIZED');
    const events = await f.store.readEvents(s.id, { after: 0, limit: 10 });
    expect(events.map(({ type, ...rest }) => ('reason' in rest ? [type, rest.reason] : [type]))).toEqual([
      ['interrupt', 'stop now'],
      ['interrupt'],
    ]);
  });

  it('on a finished session is CONFLICT saying it has already ended', async () => {
    const f = fixture();
    const s = await f.store.createSession({ title: 't', agent: 'a' });
    await f.store.append(s.id, [{ type: 'complete', status: 'succeeded' }]);
    const err = await refusal(f.caller.sessions.interrupt({ sessionId: s.id }));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe(`session ${s.id} has already ended (succeeded); there is nothing to stop`);
  });

  it('is NOT_FOUND for an unknown session and BAD_REQUEST for a bad id, a blank or too long reason', async () => {
    const f = fixture();
    expect((await refusal(f.caller.sessions.interrupt({ sessionId: 'nosuch' }))).code).toBe('NOT_FOUND');
    const s = await f.store.createSession({ title: 't', agent: 'a' });
    for (const input of [
      { sessionId: 'bad id' },
      { sessionId: s.id, reason: '   ' },
      { sessionId: s.id, reason: 'x'.repeat(INTERRUPT_REASON_CHARS + 1) },
    ]) {
      expect(
        (await refusal(f.caller.sessions.interrupt(input))).code,
        JSON.stringify(input).slice(0, 60),
      ).toBe('BAD_REQUEST');
    }
    expect((await f.store.getSession(s.id))!.lastSeq).toBe(0);
  });

  it('stores a request once per idempotency key, also when the agent completed in between', async () => {
    const f = fixture();
    const s = await f.store.createSession({ title: 't', agent: 'a' });
    const input = { sessionId: s.id, idempotencyKey: 'stop-1' };
    await expect(f.caller.sessions.interrupt(input)).resolves.toEqual({ seq: 1, duplicate: false });
    await f.store.append(s.id, [{ type: 'complete', status: 'cancelled' }]);
    await expect(f.caller.sessions.interrupt(input)).resolves.toEqual({ seq: 1, duplicate: true });
  });

  it('is the only way in: events.append refuses an interrupt, naming the field', async () => {
    const f = fixture();
    const s = await f.store.createSession({ title: 't', agent: 'a' });
    const err = await refusal(f.caller.events.append({ sessionId: s.id, events: [{ type: 'interrupt' }] }));
    expect(err.code).toBe('BAD_REQUEST');
    const issues = (err.cause as { issues?: { path: PropertyKey[]; message: string }[] }).issues!;
    expect(issues[0]!.path.map(String)).toEqual(['events', '0', 'type']);
    expect(issues[0]!.message).toMatch(/sessions\.interrupt/);
  });
});
