import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../../server/store/eventStore.ts';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { LIMITS } from '../../shared/limits.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import type { StoreFixture } from './eventStoreContract.ts';

const msg = (text: string): AgentEvent => ({ type: 'assistant_message', text });
const call = (args: unknown): AgentEvent =>
  ({ type: 'tool_call', callId: 'c1', tool: 'bash', args }) as AgentEvent;

async function refusal(promise: Promise<unknown>): Promise<LivetrailError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LivetrailError);
  return err as LivetrailError;
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/**
 * Idempotency keys, storable payloads and list pages: what every EventStore backend must show.
 * With `reopen` (a second store over the same data: after a restart, or in another process), keys
 * are also checked to outlive the store that recorded them.
 */
export function describeExactlyOnceContract(
  name: string,
  open: () => Promise<StoreFixture>,
  durable: boolean,
): void {
  describe(`EventStore contract, exactly once: ${name}`, () => {
    let fx: StoreFixture;
    let store: EventStore;
    beforeEach(async () => {
      fx = await open();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.dispose();
    });

    it('stores a keyed batch once and answers a retry with the original seqs', async () => {
      const s = await store.createSession({ title: 'x', agent: 'a' });
      const first = await store.appendOnce(s.id, [msg('1'), msg('2')], 'batch-1');
      await store.append(s.id, [msg('3')]);
      const again = await store.appendOnce(s.id, [msg('1'), msg('2')], 'batch-1');
      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ events: first.events, duplicate: true });
      expect((await store.readEvents(s.id, { after: 0, limit: 10 })).map((e) => e.seq)).toEqual([1, 2, 3]);
      expect((await store.getSession(s.id))!.lastSeq).toBe(3);
    });

    it('refuses a used key with different events as CONFLICT, and scopes keys to their session', async () => {
      const a = await store.createSession({ title: 'a', agent: 'a' });
      const b = await store.createSession({ title: 'b', agent: 'a' });
      await store.appendOnce(a.id, [msg('1')], 'k');
      const err = await refusal(store.appendOnce(a.id, [msg('other')], 'k'));
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toMatch(/^idempotencyKey: /);
      expect((await store.appendOnce(b.id, [msg('other')], 'k')).duplicate).toBe(false);
      expect((await store.getSession(a.id))!.lastSeq).toBe(1);
    });

    it('answers a retried complete as a duplicate, not as a conflict', async () => {
      const s = await store.createSession({ title: 'x', agent: 'a' });
      const done: AgentEvent[] = [{ type: 'complete', status: 'succeeded' }];
      const first = await store.appendOnce(s.id, done, 'done');
      expect(await store.appendOnce(s.id, done, 'done')).toEqual({ events: first.events, duplicate: true });
    });

    it('stores one batch when the same keyed batch arrives several times at once', async () => {
      const s = await store.createSession({ title: 'x', agent: 'a' });
      const results = await Promise.all(
        Array.from({ length: 5 }, () => store.appendOnce(s.id, [msg('once')], 'same')),
      );
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      for (const r of results) expect(r.events.map((e) => e.seq)).toEqual([1]);
      expect(await store.readEvents(s.id, { after: 0, limit: 10 })).toHaveLength(1);
    });

    it('creates one session per creation key, and refuses the key for other input', async () => {
      const first = await store.createSession({ title: 'x', agent: 'a', idempotencyKey: 'create-1' });
      const again = await store.createSession({ title: 'x', agent: 'a', idempotencyKey: 'create-1' });
      expect(again.id).toBe(first.id);
      const err = await refusal(store.createSession({ title: 'y', agent: 'a', idempotencyKey: 'create-1' }));
      expect(err.code).toBe('CONFLICT');
      expect((await store.listSessions()).map((s) => s.id)).toEqual([first.id]);
    });

    it('refuses a malformed key as BAD_REQUEST', async () => {
      const s = await store.createSession({ title: 'x', agent: 'a' });
      for (const key of ['', 'has space', 'x'.repeat(129)]) {
        const err = await refusal(store.appendOnce(s.id, [msg('1')], key));
        expect(err.code).toBe('BAD_REQUEST');
        expect(err.message).toBe('idempotencyKey: must be 1–128 of A–Z a–z 0–9 _ -');
      }
      expect((await store.getSession(s.id))!.lastSeq).toBe(0);
    });

    it('refuses payloads no backend can store, naming the problem, and stays healthy', async () => {
      const s = await store.createSession({ title: 'x', agent: 'a' });
      const cases: [AgentEvent[], string, RegExp][] = [
        [[call({ 'a\u0000b': 1 })], 'BAD_REQUEST', /^events\.0\.args\..*NUL/],
        [[call({ $where: 1 })], 'BAD_REQUEST', /^events\.0\.args\.\$where: .*starts with \$/],
        [[call(nested(LIMITS.jsonDepth + 1))], 'BAD_REQUEST', /nesting deeper than/],
        [
          Array.from({ length: 20 }, () => msg('y'.repeat(LIMITS.eventBytes - 100))),
          'PAYLOAD_TOO_LARGE',
          /-byte limit for one batch/,
        ],
      ];
      for (const [events, code, message] of cases) {
        const err = await refusal(store.append(s.id, events));
        expect(err.code).toBe(code);
        expect(err.message).toMatch(message);
      }
      expect(await store.readEvents(s.id, { after: 0, limit: 10 })).toEqual([]);
      expect(store.health().ok).toBe(true);
      expect((await store.append(s.id, [call(nested(LIMITS.jsonDepth))]))[0]!.seq).toBe(1);
    });

    it('pages the session list without skipping or repeating one', async () => {
      const made = [];
      for (let i = 0; i < 7; i++) made.push(await store.createSession({ title: `s${i}`, agent: 'a' }));
      const all = await store.listSessions();
      const seen = [];
      let page = await store.listSessions({ limit: 3 });
      while (page.length > 0) {
        seen.push(...page);
        page = await store.listSessions({ limit: 3, after: page.at(-1)! });
      }
      expect(seen.map((s) => s.id)).toEqual(all.map((s) => s.id));
      expect(new Set(seen.map((s) => s.id))).toEqual(new Set(made.map((s) => s.id)));
    });

    // A volatile store has no "after a restart": the test does not exist for it.
    if (!durable) return;
    it('keeps keys across a restart or in another process', async () => {
      const s = await store.createSession({ title: 'x', agent: 'a', idempotencyKey: 'made' });
      const first = await store.appendOnce(s.id, [msg('1')], 'kept');
      const other = await fx.reopen!();
      expect(await other.appendOnce(s.id, [msg('1')], 'kept')).toEqual({
        events: first.events,
        duplicate: true,
      });
      expect((await refusal(other.appendOnce(s.id, [msg('2')], 'kept'))).code).toBe('CONFLICT');
      expect((await other.createSession({ title: 'x', agent: 'a', idempotencyKey: 'made' })).id).toBe(s.id);
      expect((await other.getSession(s.id))!.lastSeq).toBe(1);
    });
  });
}
