import { cleanup, fireEvent, render } from '@solidjs/testing-library';
import type { JSX } from 'solid-js';
import { afterEach, describe, expect, it } from 'vitest';
import { ThoughtRow } from '../../client/components/ThoughtRow.tsx';
import { ToolCard } from '../../client/components/ToolCard.tsx';
import { createRowScope, RowScopeContext } from '../../client/state/rowMemory.ts';
import type { EventOf } from '../../client/state/timelineRows.ts';

afterEach(cleanup);

const TS = '2026-03-04T10:00:00.000Z';
const thought: EventOf<'thought'> = {
  type: 'thought',
  text: 'deep\nthoughts',
  sessionId: 's',
  seq: 1,
  ts: TS,
};
const call: EventOf<'tool_call'> = {
  type: 'tool_call',
  callId: 'c1',
  tool: 'bash',
  args: { cmd: 'ls', env: { a: { b: { c: { d: 1 } } } } },
  sessionId: 's',
  seq: 2,
  ts: TS,
};
const result: EventOf<'tool_result'> = {
  type: 'tool_result',
  callId: 'c1',
  tool: 'bash',
  ok: true,
  output: { files: ['a', 'b'] },
  sessionId: 's',
  seq: 3,
  ts: TS,
};

/** Mounts `row` as the Timeline does, in a fresh scope over the same memory (a row scrolled back in). */
function mountRow(memory: Map<string, boolean>, key: string, row: () => JSX.Element) {
  return render(() => (
    <RowScopeContext.Provider value={createRowScope(memory, key)}>{row()}</RowScopeContext.Provider>
  ));
}

describe('rowMemory: what a viewer opened survives the row leaving the virtual window', () => {
  it('reopens a thought that was open when its row unmounted', () => {
    const memory = new Map<string, boolean>();
    const first = mountRow(memory, '1', () => <ThoughtRow event={thought} />);
    fireEvent.click(first.container.querySelector('.thought-toggle')!);
    expect(first.container.querySelector('[data-part=thought-body]')).not.toBeNull();
    first.unmount();
    const again = mountRow(memory, '1', () => <ThoughtRow event={thought} />);
    expect(again.container.querySelector('[data-part=thought-body]')).not.toBeNull();
    // Another row does not inherit it.
    const other = mountRow(memory, '9', () => <ThoughtRow event={thought} />);
    expect(other.container.querySelector('[data-part=thought-body]')).toBeNull();
  });

  it('keeps args and output apart, whatever is open inside them', () => {
    const memory = new Map<string, boolean>();
    const card = () => <ToolCard call={call} result={result} />;
    const first = mountRow(memory, '2', card);
    const args = () => first.container.querySelector<HTMLDetailsElement>('details.json[data-part=args]')!;
    args().open = true;
    fireEvent(args(), new Event('toggle'));
    first.unmount();

    const again = mountRow(memory, '2', card);
    const part = (name: string) =>
      again.container.querySelector<HTMLDetailsElement>(`details.json[data-part=${name}]`)!;
    expect(part('args').open).toBe(true);
    expect(part('args').querySelector('[data-testid=json-body]')).not.toBeNull();
    expect(part('output').open).toBe(false);
    part('output').open = true;
    fireEvent(part('output'), new Event('toggle'));
    again.unmount();

    const third = mountRow(memory, '2', card);
    for (const name of ['args', 'output'])
      expect(
        third.container.querySelector<HTMLDetailsElement>(`details.json[data-part=${name}]`)!.open,
        name,
      ).toBe(true);
  });
});
