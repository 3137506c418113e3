import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Timeline } from '../../client/components/Timeline.tsx';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';

function stored(events: AgentEvent[]): StoredEvent[] {
  return events.map((e, i) => ({ ...e, sessionId: 's1', seq: i + 1, ts: '2026-01-01T10:00:00.000Z' }));
}

function rows(container: HTMLElement) {
  return [...container.querySelectorAll<HTMLElement>('[data-testid=timeline-row]')];
}

afterEach(cleanup);

describe('Timeline', () => {
  it('renders messages, errors and the completion banner as rows in seq order', () => {
    const { container } = render(() => (
      <Timeline
        events={stored([
          { type: 'user_message', text: 'please list files' },
          { type: 'assistant_message', text: 'on it' },
          { type: 'error', message: 'disk full' },
          { type: 'complete', status: 'failed', summary: 'gave up after the disk filled' },
        ])}
      />
    ));
    expect(rows(container).map((r) => [r.dataset.seq, r.dataset.type])).toEqual([
      ['1', 'user_message'],
      ['2', 'assistant_message'],
      ['3', 'error'],
      ['4', 'complete'],
    ]);
    expect(screen.getByText('please list files')).toBeTruthy();
    expect(screen.getByText('on it')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('disk full');
    const banner = screen.getByTestId('completion-banner');
    expect(banner.dataset.status).toBe('failed');
    expect(banner.textContent).toContain('gave up after the disk filled');
  });

  it('keeps a thought collapsed until it is clicked', () => {
    const { container } = render(() => (
      <Timeline events={stored([{ type: 'thought', text: 'maybe the cache is stale\nlet me check' }])} />
    ));
    expect(container.querySelector('[data-part=thought-body]')).toBeNull();
    const toggle = screen.getByRole('button', { expanded: false });
    fireEvent.click(toggle);
    const body = container.querySelector('[data-part=thought-body]');
    expect(body?.textContent).toBe('maybe the cache is stale\nlet me check');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
  });

  it('pairs a tool call with its result by callId in one card', () => {
    const { container } = render(() => (
      <Timeline
        events={stored([
          { type: 'tool_call', callId: 'c1', tool: 'bash', args: { cmd: 'ls' } },
          { type: 'assistant_message', text: 'waiting for ls' },
          { type: 'tool_result', callId: 'c1', tool: 'bash', ok: false, output: 'permission denied' },
        ])}
      />
    ));
    const all = rows(container);
    expect(all.map((r) => r.dataset.type)).toEqual(['tool_call', 'assistant_message']);
    const card = all[0]!;
    expect(card.dataset.resultSeq).toBe('3');
    expect(card.querySelector('[data-testid=tool-status]')?.getAttribute('data-status')).toBe('failed');
    expect(card.textContent).toContain('bash');
    expect(card.querySelector('[data-part=output]')).not.toBeNull();
  });

  it('shows a tool call without a result as pending', () => {
    const { container } = render(() => (
      <Timeline events={stored([{ type: 'tool_call', callId: 'c9', tool: 'grep', args: ['-r', 'x'] }])} />
    ));
    const [card] = rows(container);
    expect(card?.hasAttribute('data-result-seq')).toBe(false);
    expect(card?.querySelector('[data-testid=tool-status]')?.getAttribute('data-status')).toBe('pending');
    expect(card?.querySelector('[data-part=output]')).toBeNull();
  });

  it('pretty-prints tool args when opened', () => {
    const { container } = render(() => (
      <Timeline events={stored([{ type: 'tool_call', callId: 'c1', tool: 'bash', args: { cmd: 'ls' } }])} />
    ));
    const args = container.querySelector<HTMLDetailsElement>('[data-part=args]')!;
    expect(args.querySelector('pre')).toBeNull();
    args.open = true;
    fireEvent(args, new Event('toggle'));
    expect(args.querySelector('pre')?.textContent).toBe('{\n  "cmd": "ls"\n}');
  });

  it('does not show state and cost events as rows', () => {
    const { container } = render(() => (
      <Timeline
        events={stored([
          { type: 'state', agentState: 'thinking', llmCallsInFlight: 1, toolCallsInFlight: 0 },
          { type: 'cost', usd: 0.01, inputTokens: 10, outputTokens: 5 },
          { type: 'assistant_message', text: 'done thinking' },
        ])}
      />
    ));
    expect(rows(container).map((r) => r.dataset.seq)).toEqual(['3']);
  });

  it('renders agent text that looks like html as inert text', () => {
    const payload = '<img src=x onerror=alert(1)>';
    const { container } = render(() => (
      <Timeline
        events={stored([
          { type: 'assistant_message', text: payload },
          { type: 'error', message: payload },
          { type: 'complete', status: 'succeeded', summary: payload },
        ])}
      />
    ));
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getAllByText(payload)).toHaveLength(3);
  });

  it('tells the viewer when there are no events yet', () => {
    render(() => <Timeline events={[]} placeholder="Nothing here yet" />);
    expect(screen.getByText('Nothing here yet')).toBeTruthy();
  });
});
