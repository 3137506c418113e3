import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ToolCard } from '../../client/components/ToolCard.tsx';
import type { EventOf } from '../../client/state/timelineRows.ts';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function call(over: Partial<EventOf<'tool_call'>> = {}): EventOf<'tool_call'> {
  return {
    type: 'tool_call',
    callId: 'c1',
    tool: 'bash',
    args: { cmd: 'ls' },
    sessionId: 's1',
    seq: 1,
    ts: at(0),
    ...over,
  };
}

function result(over: Partial<EventOf<'tool_result'>> = {}): EventOf<'tool_result'> {
  return {
    type: 'tool_result',
    callId: 'c1',
    tool: 'bash',
    ok: true,
    output: 'done',
    sessionId: 's1',
    seq: 2,
    ts: at(1234),
    ...over,
  };
}

/** Opens a `<details data-part=…>` the way a click on its summary does. */
function open(container: HTMLElement, part: 'args' | 'output'): HTMLDetailsElement {
  const details = container.querySelector<HTMLDetailsElement>(`details[data-part=${part}]`)!;
  details.open = true;
  fireEvent(details, new Event('toggle'));
  return details;
}

const status = () => screen.getByTestId('tool-status');

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('ToolCard status', () => {
  it('shows the time since the call while pending, ticking with the clock', () => {
    const [now, setNow] = createSignal(T0 + 12_400);
    render(() => <ToolCard call={call()} now={now} />);
    expect(status().dataset.status).toBe('pending');
    expect(status().textContent).toBe('running · 12 s');
    setNow(T0 + 13_000);
    expect(status().textContent).toBe('running · 13 s');
    setNow(T0 + 3_900_000);
    expect(status().textContent).toBe('running · 1 h 5 min');
  });

  it('ticks once a second on its own clock when none is given', () => {
    vi.useFakeTimers({ now: T0 + 1000 });
    try {
      render(() => <ToolCard call={call()} />);
      expect(status().textContent).toBe('running · 1 s');
      vi.advanceTimersByTime(2000);
      expect(status().textContent).toBe('running · 3 s');
    } finally {
      vi.useRealTimers();
    }
  });

  it('switches from elapsed time to the duration when the result arrives', () => {
    const [res, setRes] = createSignal<EventOf<'tool_result'> | undefined>();
    const [now] = createSignal(T0 + 5000);
    const { container } = render(() => <ToolCard call={call()} result={res()} now={now} />);
    expect(status().textContent).toBe('running · 5 s');
    setRes(result({ ok: false, ts: at(1234) }));
    expect(status().dataset.status).toBe('failed');
    expect(container.querySelector('.tool')?.getAttribute('data-tool-status')).toBe('failed');
    expect(status().textContent).toBe('failed · 1.2 s');
  });

  it('shows ok with the duration, and a result without its call without one', () => {
    render(() => <ToolCard call={call()} result={result({ ts: at(125_000) })} />);
    expect(status().textContent).toBe('ok · 2 min 5 s');
    cleanup();
    render(() => <ToolCard result={result()} />);
    expect(status().textContent).toBe('ok');
    cleanup();
    render(() => <ToolCard call={call()} result={result({ ts: at(0) })} />);
    expect(status().textContent).toBe('ok · 0 ms');
  });

  it('keeps the status and the full name (title) with a very long tool name', () => {
    const name = `mcp__server__${'x'.repeat(180)}`;
    render(() => <ToolCard call={call({ tool: name })} result={result({ tool: name })} />);
    const el = screen.getByTestId('tool-name');
    expect(el.getAttribute('title')).toBe(name);
    expect(el.textContent).toBe(name);
    expect(el.getAttribute('tabindex')).toBe('0');
    expect(el.getAttribute('dir')).toBe('auto');
    // The status is its own element after the name, not inside it.
    expect(el.contains(status())).toBe(false);
    expect(el.compareDocumentPosition(status()) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(status().textContent).toMatch(/^ok · /);
  });
});

describe('ToolCard args and output', () => {
  it('renders the body only when opened, with data-part on each block', () => {
    const { container } = render(() => <ToolCard call={call()} result={result()} />);
    const args = container.querySelector('details[data-part=args]')!;
    expect(args.querySelector('[data-testid=json-body]')).toBeNull();
    expect(args.textContent).toContain('{"cmd":"ls"}');
    open(container, 'args');
    expect(args.querySelector('.jt-key')?.textContent).toBe('cmd');
    expect(args.querySelector('[data-testid=jt-string]')?.textContent).toBe('ls');
  });

  it('shows a string output as one text block with its real line breaks', () => {
    const stdout = 'line 1\n  indented\tline 2\n';
    const { container } = render(() => <ToolCard call={call()} result={result({ output: stdout })} />);
    const pre = open(container, 'output').querySelector('pre')!;
    expect(pre.textContent).toBe(stdout);
    expect(pre.textContent).not.toContain('\\n');
  });

  it('folds a 5 000-line output and shows all of it on request', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i + 1}`);
    const { container } = render(() => (
      <ToolCard call={call()} result={result({ output: lines.join('\n') })} />
    ));
    const output = open(container, 'output');
    const toggle = output.querySelector<HTMLButtonElement>('[data-testid=fold-toggle]')!;
    expect(toggle.textContent).toMatch(/^Show all \(5,000 lines, /);
    expect(output.querySelector('pre')!.textContent!.split('\n')).toHaveLength(30);
    fireEvent.click(toggle);
    expect(output.querySelector('pre')!.textContent).toBe(lines.join('\n'));
  });

  it('caps a 100 000-character single line while folded', () => {
    const { container } = render(() => (
      <ToolCard call={call()} result={result({ output: 'y'.repeat(100_000) })} />
    ));
    const pre = open(container, 'output').querySelector('pre')!;
    expect(pre.textContent!.length).toBe(5000);
  });

  it('copies the raw values: strings as they are, others as pretty JSON', async () => {
    const writeText = vi.fn(async (_: string) => {});
    vi.stubGlobal('navigator', { clipboard: { writeText } });
    const output = '\u001b[32mok\u001b[0m\nsecond line';
    const { container } = render(() => (
      <ToolCard call={call({ args: { cmd: 'ls', n: [1, null] } })} result={result({ output })} />
    ));
    const args = open(container, 'args');
    fireEvent.click(args.querySelector<HTMLButtonElement>('[data-testid=copy-button]')!);
    await waitFor(() => expect(writeText).toHaveBeenCalledTimes(1));
    expect(writeText).toHaveBeenLastCalledWith('{\n  "cmd": "ls",\n  "n": [\n    1,\n    null\n  ]\n}');
    const out = open(container, 'output');
    const button = out.querySelector<HTMLButtonElement>('[data-testid=copy-button]')!;
    expect(button.getAttribute('aria-label')).toBe('Copy output');
    fireEvent.click(button);
    await waitFor(() => expect(writeText).toHaveBeenCalledTimes(2));
    expect(writeText).toHaveBeenLastCalledWith(output);
  });
});

describe('ToolCard with hostile strings', () => {
  const XSS = '<img src=x onerror=alert(1)>';
  const RLO = '\u202Eevil.exe';

  it('keeps html in names, ids, args and output as text', () => {
    const { container } = render(() => (
      <ToolCard
        call={call({ tool: XSS, callId: XSS, args: { [XSS]: XSS, text: `${XSS}\nline 2` } })}
        result={result({ tool: XSS, callId: XSS, output: `\u001b[31m${XSS}\u001b[0m` })}
      />
    ));
    open(container, 'args');
    open(container, 'output');
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByTestId('tool-name').textContent).toBe(XSS);
    expect(container.querySelector('.jt-key')?.textContent).toBe(XSS);
    expect(container.querySelector('details[data-part=output] pre')?.textContent).toBe(XSS);
  });

  it('isolates every untrusted string for bidi, so U+202E reorders nothing around it', () => {
    const { container } = render(() => (
      <ToolCard
        call={call({ tool: RLO, callId: RLO, args: { [RLO]: RLO } })}
        result={result({ tool: RLO, callId: RLO, output: `${RLO}\nline 2` })}
      />
    ));
    open(container, 'args');
    open(container, 'output');
    const holders = [...container.querySelectorAll('*')].filter((el) =>
      [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.includes('\u202E')),
    );
    // Name, call id, key, string value, output text block (the previews are gone once open).
    expect(holders.length).toBeGreaterThanOrEqual(5);
    for (const el of holders) expect(el.closest('[dir=auto]')).not.toBeNull();
    expect(status().closest('[dir=auto]')).toBeNull();
  });
});
