import { describe, expect, it } from 'vitest';
import { eventJson } from '../../server/store/storedJson.ts';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { describeEventStoreContract } from '../support/eventStoreContract.ts';
import { tempDataDir } from '../support/sqliteFixture.ts';

for (const mode of ['thread', 'inline'] as const) {
  describeEventStoreContract(
    `sqlite (${mode} writer)`,
    async () => {
      const data = await tempDataDir();
      let store = await data.open({ writer: { mode } });
      return {
        store,
        async reopen() {
          await store.close();
          store = await data.open({ writer: { mode } });
          return store;
        },
        dispose: () => data.cleanup(),
      };
    },
    { durable: true },
  );
}

describe('sqlite store: the JSON it hands the transports', () => {
  it('is exactly JSON.stringify of each event, on commit and on read, for awkward payloads', async () => {
    const data = await tempDataDir();
    try {
      const store = await data.open();
      const s = await store.createSession({ title: 'json', agent: 'a' });
      const batch: AgentEvent[] = [
        {
          type: 'assistant_message',
          text: 'émoji 🦊, "quotes", back\\slash, \u2028 line sep, \u0001 control',
        },
        {
          type: 'tool_call',
          callId: 'c1',
          tool: 'edit',
          // (No -0: JSON has none, so it is stored, like sent over the wire, as 0.)
          args: { n: 0.1 + 0.2, big: 1e21, tiny: 5e-324, list: [1, 'two', null], nested: { ok: true } },
        },
        { type: 'cost', usd: 0.000123, inputTokens: 10, outputTokens: 20 },
      ];
      const committed = await store.append(s.id, batch);
      for (const e of committed) expect(eventJson(e)).toBe(JSON.stringify(e));
      await store.close();
      const reopened = await data.open();
      const read = await reopened.readEvents(s.id, { after: 0, limit: 10 });
      expect(read).toEqual(committed);
      for (const e of read) expect(eventJson(e)).toBe(JSON.stringify(e));
    } finally {
      await data.cleanup();
    }
  });
});
