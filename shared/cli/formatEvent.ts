import { isCompacted, type StreamEvent } from '../agentEvent.ts';
import type { Session } from '../session.ts';

/** ANSI colours, or none: the CLI colours only what goes to a terminal. */
export interface Paint {
  dim(s: string): string;
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  magenta(s: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

/** Colours when `enabled`, else the identity. */
export function createPaint(enabled: boolean): Paint {
  if (!enabled) {
    const same = (s: string) => s;
    return { dim: same, bold: same, red: same, green: same, yellow: same, cyan: same, magenta: same };
  }
  return {
    dim: sgr(2, 22),
    bold: sgr(1, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
    magenta: sgr(35, 39),
  };
}

// C0 controls but tab and newline, DEL, C1 controls (CSI is U+009B), the bidi overrides and
// isolates that make a terminal show text in an order other than its own, the line and paragraph
// separators, and the invisible zero-width space and BOM (U+200D stays: emoji sequences need it).
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Agent text made inert for a terminal: every control character (an escape sequence could move the
 * cursor, rewrite the title, or hide lines) and bidi override is shown as a `\uXXXX` escape.
 */
export function inert(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A stored event as one JSON line, with the C1 controls and line separators JSON leaves raw escaped. */
export function eventJsonLine(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const JSON_CHARS = 2_000;

function compactJson(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  if (text.length <= JSON_CHARS) return text;
  return `${text.slice(0, JSON_CHARS)}… (${text.length - JSON_CHARS} more characters; --json shows all)`;
}

/** Continuation lines of multi-line text, indented under the first. */
function indent(text: string, width: number): string {
  return text.replace(/\n/g, `\n${' '.repeat(width)}`);
}

function clock(ts: string): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? ts : d.toTimeString().slice(0, 8);
}

/** How a compacted streamed message ended: still streaming, or cut off by `complete`. */
function streamedMark(e: StreamEvent, p: Paint): string {
  if (!isCompacted(e)) return '';
  if (e.open) return p.dim(' ▸ streaming…');
  return e.incomplete ? p.yellow(' (incomplete)') : '';
}

/** The body of an event's line: what happened, coloured by kind, every agent-written part inert. */
function describeEvent(e: StreamEvent, p: Paint): string {
  const json = (value: unknown) => inert(compactJson(value));
  switch (e.type) {
    case 'user_message':
      return `${p.yellow('user')}        ${inert(e.text)}`;
    case 'assistant_message':
      return `${p.cyan('assistant')}   ${inert(e.text)}${streamedMark(e, p)}`;
    case 'thought':
      return `${p.dim('thought')}     ${p.dim(inert(e.text))}${streamedMark(e, p)}`;
    case 'message_start':
      return `${e.role === 'assistant' ? p.cyan('assistant') : p.dim('thought')}   ${p.dim(`▸ streaming ${inert(e.messageId)}`)}`;
    case 'message_delta':
      return `${p.dim('  …')}         ${inert(e.text)}`;
    case 'message_end':
      return `${p.dim('  ■')}         ${p.dim(`end of ${inert(e.messageId)}`)}`;
    case 'tool_call':
      return `${p.magenta('tool_call')}   ${p.bold(inert(e.tool))} ${p.dim(inert(e.callId))} ${json(e.args)}`;
    case 'tool_result':
      return `${p.magenta('tool_result')} ${p.bold(inert(e.tool))} ${p.dim(inert(e.callId))} ${e.ok ? p.green('ok') : p.red('failed')} ${json(e.output)}`;
    case 'state':
      return `${p.dim('state')}       ${e.agentState} (llm ${e.llmCallsInFlight}, tools ${e.toolCallsInFlight})`;
    case 'cost':
      return `${p.dim('cost')}        $${e.usd.toFixed(4)} (${e.inputTokens} in / ${e.outputTokens} out)`;
    case 'error':
      return `${p.red('error')}       ${inert(e.message)}`;
    case 'interrupt':
      return `${p.yellow('interrupt')}   stopped by a person${e.reason ? ` — ${inert(e.reason)}` : ''}`;
    case 'complete': {
      const status = e.status === 'succeeded' ? p.green(e.status) : p.red(e.status);
      return `${p.bold('complete')}    ${status}${e.summary ? ` — ${inert(e.summary)}` : ''}`;
    }
  }
}

/** One event for a person: `#12 14:03:22 tool_call   bash c1 {"cmd":"ls"}`. */
export function formatEvent(e: StreamEvent, p: Paint): string {
  const head = `#${e.seq} ${clock(e.ts)} `;
  return p.dim(head) + indent(describeEvent(e, p), head.length + 12);
}

/** One session for a person: id, status, title, and what it has done. */
export function formatSession(s: Session, p: Paint): string {
  const padded = s.status.padEnd(16);
  const status = s.status === 'failed' ? p.red(padded) : s.status === 'running' ? p.green(padded) : padded;
  const facts = `${s.agent} · ${s.lastSeq} events · $${s.totals.costUsd.toFixed(4)} · ${s.lastActivityAt}`;
  return `${s.id}  ${status}  ${inert(s.title)}  ${p.dim(inert(facts))}`;
}
