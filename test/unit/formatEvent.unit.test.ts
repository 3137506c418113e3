import { describe, expect, it } from 'vitest';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import {
  createPaint,
  eventJsonLine,
  formatEvent,
  formatSession,
  inert,
} from '../../shared/cli/formatEvent.ts';
import type { Session } from '../../shared/session.ts';

const PLAIN = createPaint(false);
const COLOUR = createPaint(true);
const TS = '2026-03-04T05:06:07.000Z';

function stored(event: AgentEvent, seq = 7): StoredEvent {
  return { ...event, sessionId: 'sess_1', seq, ts: TS } as StoredEvent;
}

/** Every character a terminal could act on, but the \t and \n text may contain. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the paint's own SGR sequences
const SGR = /\u001b\[\d+m/g;

/** Text an agent (or someone feeding it) could write to take over a terminal. */
const HOSTILE = [
  'x',
  '\u001b]0;pwned\u0007', // OSC: set the window title
  '\u001b[2J\u001b[H', // clear the screen, cursor home
  '\u009b31m', // C1 CSI: a one-byte escape JSON.stringify leaves raw
  '\u0085', // C1 NEL
  '\u007f', // DEL
  '\u202e', // right-to-left override
  '\u2066', // left-to-right isolate
  '\u061c\u200f',
  '\r\u0000\u0008\u000b\u000c',
  'y',
].join('');

const ONE_OF_EACH: AgentEvent[] = [
  { type: 'user_message', text: 'please list files' },
  { type: 'assistant_message', text: 'listing them now' },
  { type: 'thought', text: 'ls should do' },
  { type: 'tool_call', callId: 'call-9', tool: 'bash', args: { cmd: 'ls -la' } },
  { type: 'tool_result', callId: 'call-9', tool: 'bash', ok: true, output: { files: ['a.txt'] } },
  { type: 'state', agentState: 'calling_tool', llmCallsInFlight: 2, toolCallsInFlight: 1 },
  { type: 'cost', usd: 0.01234, inputTokens: 1500, outputTokens: 42 },
  { type: 'error', message: 'disk full' },
  { type: 'complete', status: 'succeeded', summary: 'listed 1 file' },
];

describe('inert', () => {
  it('shows ESC, BEL, C1, DEL and bidi controls as \\uXXXX escapes', () => {
    expect(inert('\u001b')).toBe('\\u001b');
    expect(inert('\u0007')).toBe('\\u0007');
    expect(inert('\u009b')).toBe('\\u009b');
    expect(inert('\u0085')).toBe('\\u0085');
    expect(inert('\u007f')).toBe('\\u007f');
    expect(inert('\u202e')).toBe('\\u202e');
    expect(inert('\u2066')).toBe('\\u2066');
    expect(inert('\u0000\r')).toBe('\\u0000\\u000d');
    expect(inert('a\u001b]0;pwned\u0007b')).toBe('a\\u001b]0;pwned\\u0007b');
    expect(inert('\u202ecod.exe')).toBe('\\u202ecod.exe');
    // Line and paragraph separators, and the invisible zero-width space and BOM.
    expect(inert('a\u2028b\u2029c\u200bd\ufeff')).toBe('a\\u2028b\\u2029c\\u200bd\\ufeff');
  });

  it('leaves nothing raw in hostile text', () => {
    const out = inert(HOSTILE);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out.startsWith('x\\u001b]0;pwned\\u0007')).toBe(true);
    expect(out.endsWith('y')).toBe(true);
  });

  it('keeps newline, tab and ordinary Unicode', () => {
    const text = 'line 1\n\tline 2 — café 漢字 日本語 🦀👩‍💻 ∑ é';
    expect(inert(text)).toBe(text);
    expect(inert('')).toBe('');
  });
});

describe('formatEvent: one line per event with its key facts', () => {
  const lines = ONE_OF_EACH.map((e, i) => formatEvent(stored(e, i + 1), PLAIN));

  it('starts with #seq and the time of day', () => {
    lines.forEach((line, i) => {
      expect(line).toMatch(new RegExp(`^#${i + 1} \\d\\d:\\d\\d:\\d\\d `));
    });
  });

  it('user_message, assistant_message and thought show their text', () => {
    expect(lines[0]).toMatch(/ user +please list files$/);
    expect(lines[1]).toMatch(/ assistant +listing them now$/);
    expect(lines[2]).toMatch(/ thought +ls should do$/);
  });

  it('tool_call shows the tool, callId and args', () => {
    expect(lines[3]).toMatch(/ tool_call +bash call-9 \{"cmd":"ls -la"\}$/);
  });

  it('tool_result shows the tool, callId, ok or failed, and the output', () => {
    expect(lines[4]).toMatch(/ tool_result bash call-9 ok \{"files":\["a\.txt"\]\}$/);
    const failed = formatEvent(
      stored({ type: 'tool_result', callId: 'c2', tool: 'grep', ok: false, output: 'no match' }),
      PLAIN,
    );
    expect(failed).toMatch(/ tool_result grep c2 failed "no match"$/);
    expect(failed).not.toMatch(/ ok /);
  });

  it('state shows the agent state and what is in flight', () => {
    expect(lines[5]).toMatch(/ state +calling_tool \(llm 2, tools 1\)$/);
  });

  it('cost shows dollars to 4 places and the tokens', () => {
    expect(lines[6]).toMatch(/ cost +\$0\.0123 \(1500 in \/ 42 out\)$/);
  });

  it('error shows the message', () => {
    expect(lines[7]).toMatch(/ error +disk full$/);
  });

  it('complete shows the status and the summary, if any', () => {
    expect(lines[8]).toMatch(/ complete +succeeded — listed 1 file$/);
    const bare = formatEvent(stored({ type: 'complete', status: 'cancelled' }), PLAIN);
    expect(bare).toMatch(/ complete +cancelled$/);
    expect(bare).not.toContain('—');
    expect(formatEvent(stored({ type: 'complete', status: 'failed', summary: 'x' }), PLAIN)).toMatch(
      / complete +failed — x$/,
    );
  });

  it('interrupt says a person stopped the session, with the reason made inert', () => {
    expect(formatEvent(stored({ type: 'interrupt' }), PLAIN)).toMatch(/ interrupt +stopped by a person$/);
    const why = formatEvent(stored({ type: 'interrupt', reason: 'wrong\u202ebranch' }), PLAIN);
    expect(why).toMatch(/ interrupt +stopped by a person — wrong\\u202ebranch$/);
  });

  it('every event is one line when its text is', () => {
    for (const line of lines) expect(line).not.toContain('\n');
  });
});

describe('formatEvent: multi-line text', () => {
  it('indents continuation lines under the first', () => {
    for (const type of ['user_message', 'assistant_message', 'thought'] as const) {
      const out = formatEvent(stored({ type, text: 'first\nsecond\n\tthird' }, 123), PLAIN);
      const [a, b, c, ...more] = out.split('\n');
      expect(more).toEqual([]);
      const column = a!.indexOf('first');
      expect(column).toBeGreaterThan(10);
      expect(b).toBe(`${' '.repeat(column)}second`);
      expect(c).toBe(`${' '.repeat(column)}\tthird`);
    }
    const error = formatEvent(stored({ type: 'error', message: 'boom\nat line 2' }), PLAIN).split('\n');
    expect(error[1]).toBe(`${' '.repeat(error[0]!.indexOf('boom'))}at line 2`);
  });

  it('indents the same with colours on', () => {
    const out = formatEvent(stored({ type: 'thought', text: 'first\nsecond' }), COLOUR);
    const [a, b] = out.replace(SGR, '').split('\n');
    expect(b).toBe(`${' '.repeat(a!.indexOf('first'))}second`);
  });
});

describe('formatEvent: hostile text stays inert', () => {
  const hostileEvents: AgentEvent[] = [
    { type: 'user_message', text: HOSTILE },
    { type: 'assistant_message', text: HOSTILE },
    { type: 'thought', text: `${HOSTILE}\n${HOSTILE}` },
    { type: 'tool_call', callId: HOSTILE, tool: HOSTILE, args: { [HOSTILE]: HOSTILE, list: [HOSTILE] } },
    { type: 'tool_result', callId: HOSTILE, tool: HOSTILE, ok: false, output: HOSTILE },
    { type: 'tool_result', callId: 'c', tool: 't', ok: true, output: { nested: { deep: [HOSTILE] } } },
    { type: 'error', message: HOSTILE },
    { type: 'complete', status: 'failed', summary: HOSTILE },
  ];

  it('no raw control or bidi character with colours off', () => {
    for (const e of hostileEvents) {
      const out = formatEvent(stored(e), PLAIN);
      expect(out, e.type).not.toMatch(RAW_CONTROL);
      expect(out, e.type).toContain('\\u001b]0;pwned');
    }
  });

  it('JSON args and output: the C1 controls JSON.stringify leaves raw are escaped too', () => {
    expect(JSON.stringify('\u009b\u0085\u202e')).toContain('\u009b'); // the reason for this test
    const call = formatEvent(
      stored({ type: 'tool_call', callId: 'c', tool: 't', args: { k: '\u009b2J' } }),
      PLAIN,
    );
    expect(call).toContain('\\u009b2J');
    expect(call).not.toMatch(RAW_CONTROL);
    const result = formatEvent(
      stored({ type: 'tool_result', callId: 'c', tool: 't', ok: true, output: ['\u0085', '\u202e'] }),
      PLAIN,
    );
    expect(result).toContain('\\u0085');
    expect(result).toContain('\\u202e');
    expect(result).not.toMatch(RAW_CONTROL);
  });

  it("with colours on, the only escapes are the paint's own SGR sequences", () => {
    for (const e of [...hostileEvents, ...ONE_OF_EACH]) {
      const coloured = formatEvent(stored(e), COLOUR);
      const stripped = coloured.replace(SGR, '');
      expect(stripped, e.type).not.toMatch(RAW_CONTROL);
      // Colour changes nothing but the SGR codes around the same text.
      expect(stripped, e.type).toBe(formatEvent(stored(e), PLAIN));
    }
    expect(formatEvent(stored(ONE_OF_EACH[3]!), COLOUR)).toMatch(SGR);
  });

  it('hostile text cannot forge an SGR sequence either', () => {
    const out = formatEvent(stored({ type: 'user_message', text: '\u001b[31mred' }), COLOUR);
    expect(out).toContain('\\u001b[31mred');
    expect(out.replace(SGR, '')).not.toContain('\u001b');
  });
});

describe('formatEvent: long JSON', () => {
  it('truncates args past 2000 characters with a note of how much is left out', () => {
    const args = { big: 'x'.repeat(5000) };
    const full = JSON.stringify(args);
    const out = formatEvent(stored({ type: 'tool_call', callId: 'c', tool: 't', args }), PLAIN);
    expect(out).toContain(
      `${full.slice(0, 2000)}… (${full.length - 2000} more characters; --json shows all)`,
    );
    expect(out).not.toContain(full);
    expect(out.length).toBeLessThan(2200);
  });

  it('truncates output too', () => {
    const output = Array.from({ length: 1000 }, (_, i) => `item ${i}`);
    const out = formatEvent(stored({ type: 'tool_result', callId: 'c', tool: 't', ok: true, output }), PLAIN);
    expect(out).toMatch(/… \(\d+ more characters; --json shows all\)$/);
  });

  it('keeps JSON of exactly 2000 characters whole, and cuts one more', () => {
    const exact = { a: 'x'.repeat(1992) };
    expect(JSON.stringify(exact)).toHaveLength(2000);
    const whole = formatEvent(stored({ type: 'tool_call', callId: 'c', tool: 't', args: exact }), PLAIN);
    expect(whole.endsWith(JSON.stringify(exact))).toBe(true);
    expect(whole).not.toContain('more characters');
    const over = formatEvent(
      stored({ type: 'tool_call', callId: 'c', tool: 't', args: { a: 'x'.repeat(1993) } }),
      PLAIN,
    );
    expect(over).toContain('… (1 more characters; --json shows all)');
  });
});

describe('eventJsonLine', () => {
  it('parses back to the same value, on one line, with no raw C1 or line separators', () => {
    const values: unknown[] = [
      ...ONE_OF_EACH.map((e, i) => stored(e, i + 1)),
      stored({ type: 'assistant_message', text: `${HOSTILE}\u2028\u2029\nend` }),
      stored({
        type: 'tool_call',
        callId: '\u0085',
        tool: '\u009b',
        args: { '\u2028': ['\u0085\u009b\u007f'] },
      }),
      { id: 's', title: 'caf\u00e9 漢字 🦀 \u009f\u0080' },
    ];
    for (const value of values) {
      const line = eventJsonLine(value);
      expect(JSON.parse(line)).toEqual(value);
      expect(line).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: none of C0 either (JSON escapes them)
      expect(line).not.toMatch(/[\u0000-\u001f]/);
    }
  });

  it('escapes \\u0085, \\u009b and \\u2028 as JSON escapes', () => {
    const line = eventJsonLine({ t: '\u0085\u009b\u2028' });
    expect(line).toBe('{"t":"\\u0085\\u009b\\u2028"}');
  });

  it('keeps ordinary Unicode as it is', () => {
    expect(eventJsonLine({ t: 'café 漢字 🦀' })).toBe('{"t":"café 漢字 🦀"}');
  });
});

describe('formatSession', () => {
  const session: Session = {
    id: 'sess_abc',
    title: `deploy ${HOSTILE}`,
    agent: `bot${HOSTILE}`,
    createdAt: TS,
    status: 'running',
    lastSeq: 12,
    lastActivityAt: TS,
    totals: { costUsd: 0.56789, inputTokens: 10, outputTokens: 5, llmCalls: 1, toolCalls: 2 },
    agentState: 'thinking',
    llmCallsInFlight: 1,
    toolCallsInFlight: 0,
  };

  it('shows id, status, title and what it has done', () => {
    const out = formatSession({ ...session, title: 'deploy', agent: 'bot' }, PLAIN);
    expect(out).toBe(`sess_abc  running           deploy  bot · 12 events · $0.5679 · ${TS}`);
  });

  it('makes the title (and agent) inert', () => {
    const out = formatSession(session, PLAIN);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toContain('deploy x\\u001b]0;pwned\\u0007');
    expect(out).toContain('botx\\u001b]0;pwned');
    const coloured = formatSession({ ...session, status: 'failed' }, COLOUR);
    expect(coloured.replace(SGR, '')).not.toMatch(RAW_CONTROL);
    expect(coloured).toMatch(SGR);
  });
});
