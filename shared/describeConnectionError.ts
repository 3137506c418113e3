/** What a connection failure is called when nothing more is known (an EventSource error event). */
export const CONNECTION_LOST = 'connection lost';

// What the transports say when they know only that the connection failed (tRPC's own wording).
const GENERIC = new Set([
  'Unknown error',
  'Initialization error',
  'WebSocket closed',
  'Closed before connection was established',
]);
// Matched against messages and names (a message that is only a code is kept as it is).
const UNREACHABLE = /fetch failed|failed to fetch|networkerror|load failed|connect ECONNREFUSED/i;
const CLOSED = /other side closed/;
const TIMED_OUT = /timed out|timeout of|TimeoutError/i;
// Node's system error codes, found on an error or its causes.
const CODES: Record<string, string> = {
  ECONNREFUSED: 'server unreachable',
  ENOTFOUND: 'server unreachable',
  EHOSTUNREACH: 'server unreachable',
  ENETUNREACH: 'server unreachable',
  EAI_AGAIN: 'server unreachable',
  ECONNRESET: 'closed by the server',
  EPIPE: 'closed by the server',
  ETIMEDOUT: 'timed out',
};
const STATUS_IN_MESSAGE = /status code \((\d{3})\)/;

/** What an error and its causes say: messages, system codes, names, an HTTP status, a close code. */
interface Clues {
  words: string[];
  codes: string[];
  status?: number;
  /** The server's own words, when it answered with a tRPC error (which carries `data.httpStatus`). */
  said?: string;
  closeCode?: number;
}

function cluesOf(err: unknown): Clues {
  const clues: Clues = { words: [], codes: [] };
  let e = err as Record<string, unknown> | undefined;
  // tRPC wraps twice at most (TRPCClientError → TRPCWebSocketClosedError → the event); a few levels
  // more cost nothing and a cycle cannot loop.
  for (let depth = 0; depth < 6 && e !== null && typeof e === 'object'; depth++) {
    for (const key of ['message', 'name'] as const) {
      if (typeof e[key] === 'string' && e[key]) clues.words.push(e[key] as string);
    }
    if (typeof e.code === 'string') clues.codes.push(e.code);
    const httpStatus = (e.data as { httpStatus?: unknown } | undefined)?.httpStatus;
    if (typeof httpStatus === 'number' && clues.status === undefined) {
      clues.status = httpStatus;
      if (typeof e.message === 'string' && e.message) clues.said = e.message.split('\n')[0];
    }
    if (typeof e.code === 'number') {
      // A CloseEvent's code is the WebSocket's; an EventSource ErrorEvent's is the HTTP status.
      if ('wasClean' in e || e.type === 'close') clues.closeCode ??= e.code;
      else if (e.code >= 100 && e.code < 600) clues.status ??= e.code;
    }
    const inMessage = typeof e.message === 'string' ? STATUS_IN_MESSAGE.exec(e.message) : null;
    if (inMessage) clues.status ??= Number(inMessage[1]);
    e = e.cause as Record<string, unknown> | undefined;
  }
  return clues;
}

function isEventLike(err: unknown): boolean {
  const e = err as { type?: unknown; message?: unknown };
  return typeof e.type === 'string' && typeof e.message !== 'string';
}

/**
 * Why a live connection failed, in words a person reads in the network indicator's tooltip:
 * "server unreachable" (refused at the TCP level, DNS, fetch's network failure), "server error (503)"
 * (with the server's words when it gave some), the server's own words for a 4xx it explained, else
 * "connection refused (HTTP 429)" (an answer that refused the stream), "closed by the server" (a
 * reset, or a WebSocket closed normally), "server restarting" (close code 1012), "timed out", else
 * the error's own first line — and "connection lost" where the transport says nothing at all (a
 * browser's EventSource error event, tRPC's "Unknown error"), never "Unknown error".
 */
export function describeConnectionError(err: unknown): string {
  if (err === undefined || err === null) return CONNECTION_LOST;
  if (typeof err === 'string') return err || CONNECTION_LOST;
  const { words, codes, status, said, closeCode } = cluesOf(err);
  if (status !== undefined && status >= 500) return `server error (${status})${said ? `: ${said}` : ''}`;
  if (status !== undefined && status >= 400) return said ?? `connection refused (HTTP ${status})`;
  if (closeCode === 1012) return 'server restarting';
  if (closeCode === 1000 || closeCode === 1001) return 'closed by the server';
  const byCode = codes.map((code) => CODES[code]).find((words) => words !== undefined);
  if (byCode) return byCode;
  const text = words.join(' ');
  if (UNREACHABLE.test(text)) return 'server unreachable';
  if (CLOSED.test(text)) return 'closed by the server';
  if (TIMED_OUT.test(text)) return 'timed out';
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string' && message) {
    return GENERIC.has(message) ? CONNECTION_LOST : (message.split('\n')[0] ?? message);
  }
  // An Error without a message prints as its name.
  return isEventLike(err) ? CONNECTION_LOST : String(err);
}

/** What `/healthz` said when asked after a failure (see createReachabilityProbe). */
export type HealthAnswer = 'ready' | 'not_ready' | 'unreachable';

/** A failure that said nothing, made specific by what the server's health endpoint said meanwhile. */
export function withHealthAnswer(error: string, answer: HealthAnswer): string {
  if (error !== CONNECTION_LOST) return error;
  if (answer === 'unreachable') return 'server unreachable';
  return answer === 'not_ready' ? 'server not ready' : error;
}

/**
 * Whether a failed call never reached a working server: no answer at all, or a gateway that says
 * the server behind it is down (502, 504). A composer can then wait for the connection to return.
 */
export function isServerUnreachable(err: unknown): boolean {
  const { status } = cluesOf(err);
  if (status === 502 || status === 504) return true;
  return status === undefined && describeConnectionError(err) === 'server unreachable';
}

/** Words for a state's `lastError` in the indicator: the shell's terse phrases, spelled out. */
export function lastErrorInWords(lastError: string): string {
  if (lastError === 'stream ended') return 'closed by the server (the stream ended)';
  return GENERIC.has(lastError) || lastError === '[object Event]' ? CONNECTION_LOST : lastError;
}
