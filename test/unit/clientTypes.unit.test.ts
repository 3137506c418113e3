import { describe, expect, expectTypeOf, it } from 'vitest';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import { createLivetrailClient } from '../../shared/createLivetrailClient.ts';
import type { Session } from '../../shared/session.ts';

// These functions are type-checked by `npm run check` (tsc) and never run: each @ts-expect-error
// fails the type-check if the line below it ever compiles.
function wrongPayloadsDoNotCompile(api: ReturnType<typeof createLivetrailClient>['api']) {
  void api.events.append.mutate({
    sessionId: 's',
    // @ts-expect-error tool_result without callId
    events: [{ type: 'tool_result', tool: 'bash', ok: true, output: '' }],
  });
  // @ts-expect-error unknown event type
  void api.events.append.mutate({ sessionId: 's', events: [{ type: 'telepathy', text: '' }] });
  const costWithStringUsd = [{ type: 'cost' as const, usd: '1', inputTokens: 1, outputTokens: 1 }];
  // @ts-expect-error cost needs numbers
  void api.events.append.mutate({ sessionId: 's', events: costWithStringUsd });
  // @ts-expect-error status must be a completion status
  void api.sessions.complete.mutate({ sessionId: 's', status: 'running' });
  // @ts-expect-error title is required
  void api.sessions.create.mutate({});
  // @ts-expect-error delete names the session
  void api.sessions.delete.mutate({});
}

describe('typed client', () => {
  it('infers inputs and outputs from the router', () => {
    const { api } = createLivetrailClient({ url: 'http://127.0.0.1:1' });
    expectTypeOf(api.sessions.get.query).returns.resolves.toEqualTypeOf<Session>();
    expectTypeOf(api.events.append.mutate).returns.resolves.toEqualTypeOf<{
      seqs: number[];
      duplicate: boolean;
    }>();
    expectTypeOf(api.sessions.delete.mutate).returns.resolves.toEqualTypeOf<{ deleted: true }>();
    expectTypeOf(api.events.list.query)
      .returns.resolves.toHaveProperty('events')
      .toEqualTypeOf<StoredEvent[]>();
    expect(typeof wrongPayloadsDoNotCompile).toBe('function');
  });
});
