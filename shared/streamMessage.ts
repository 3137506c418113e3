import type { AgentEvent, StreamedRole } from './agentEvent.ts';
import { IDEMPOTENCY_KEY_RULE, isIdempotencyKey, newIdempotencyKey } from './idempotencyKey.ts';
import { LIMITS } from './limits.ts';

/** The one call `streamMessage` makes: `events.append` (a typed client's `api` has it). */
export interface MessageAppender {
  events: {
    append: {
      mutate(input: {
        sessionId: string;
        events: AgentEvent[];
        idempotencyKey: string;
      }): Promise<{ seqs: number[] }>;
    };
  };
}

/** What `streamMessage` appends through: what `createLivetrailClient` returns (a LivetrailClient), or its `api`. */
export type StreamMessageClient = { api: MessageAppender } | MessageAppender;

/** Options of `streamMessage`. */
export interface StreamMessageOptions {
  sessionId: string;
  /** Whose message it is: the agent's reply, or its thinking. */
  role: StreamedRole;
  /** Unique within the session (1–200 characters). @default a fresh random, URL-safe id */
  messageId?: string;
  /**
   * Prefix of the appends' idempotency keys: the n-th append (0 is `message_start`) is sent with
   * `${idempotencyKey}-${n}`. 1–100 of A–Z a–z 0–9 _ -. @default a fresh random key per call
   */
  idempotencyKey?: string;
  /** Longest a chunk waits before it is sent, in ms. @default 50 */
  flushMs?: number;
  /** Pending characters that are sent at once, without waiting for `flushMs`. @default 1024 */
  flushChars?: number;
  /** Stops reading the source: what was read is sent, `message_end` is not, and the call rejects. */
  signal?: AbortSignal;
}

/** What `streamMessage` resolves with once `message_end` is stored. */
export interface StreamMessageResult {
  messageId: string;
  /** The seqs of every event it appended, `message_start` first and `message_end` last. */
  seqs: number[];
  /** Characters of text sent in deltas. */
  chars: number;
}

/** The longest key prefix: room is left for `-` and the append index within 128 characters. */
const KEY_PREFIX_CHARS = 100;
const encoder = new TextEncoder();

/** The serialized size of a delta, as the server measures it against `LIMITS.eventBytes`. */
function deltaBytes(messageId: string, text: string): number {
  return encoder.encode(JSON.stringify({ type: 'message_delta', messageId, text })).byteLength;
}

/**
 * The first piece of `text` one delta may carry: at most `LIMITS.textChars` characters and
 * `LIMITS.eventBytes` serialized, never ending between the two halves of a surrogate pair.
 */
function firstPiece(messageId: string, text: string): string {
  let end = Math.min(text.length, LIMITS.textChars);
  for (;;) {
    const code = text.charCodeAt(end - 1);
    if (end < text.length && end > 1 && code >= 0xd800 && code <= 0xdbff) end--;
    const bytes = deltaBytes(messageId, text.slice(0, end));
    if (bytes <= LIMITS.eventBytes || end <= 1) return text.slice(0, end);
    // Shrink in proportion to the excess (with a margin), then check again.
    end = Math.max(1, Math.floor((end * LIMITS.eventBytes) / bytes) - 16);
  }
}

/**
 * Coalesces text into deltas and appends them one at a time: pending text goes out `flushMs` after
 * it arrived, or at once when `flushChars` are pending; while an append is in flight, text keeps
 * accumulating and goes out right after it.
 */
function createCoalescer(
  append: (event: AgentEvent) => Promise<void>,
  opts: { messageId: string; flushMs: number; flushChars: number; onFail: (err: unknown) => void },
) {
  const { messageId } = opts;
  let pending = '';
  let due = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;
  let chars = 0;

  function run(work: () => Promise<void>): void {
    sending = work().then(
      () => {
        sending = undefined;
        kick();
      },
      (err: unknown) => {
        sending = undefined;
        failure = { error: err };
        clearTimeout(timer);
        opts.onFail(err);
      },
    );
  }

  /** Sends the pending text if it is due and nothing is in flight. */
  function kick(): void {
    if (sending || failure || !due || pending === '') return;
    due = false;
    clearTimeout(timer);
    timer = undefined;
    let text = pending;
    pending = '';
    run(async () => {
      while (text !== '') {
        const piece = firstPiece(messageId, text);
        await append({ type: 'message_delta', messageId, text: piece });
        chars += piece.length;
        text = text.slice(piece.length);
      }
    });
  }

  return {
    get chars() {
      return chars;
    },
    get failure() {
      return failure;
    },
    /** Appends `event` ahead of any text (the `message_start`). */
    send(event: AgentEvent): void {
      run(() => append(event));
    },
    add(text: string): void {
      if (text === '' || failure) return;
      pending += text;
      if (pending.length >= opts.flushChars) due = true;
      else if (!due && timer === undefined) {
        timer = setTimeout(() => {
          timer = undefined;
          due = true;
          kick();
        }, opts.flushMs);
      }
      kick();
    },
    /** Sends everything pending now; rejects with the first failed append's error. */
    async drain(): Promise<void> {
      for (;;) {
        if (failure) throw failure.error;
        if (sending) await sending;
        else if (pending === '') return;
        else {
          due = true;
          kick();
        }
      }
    },
  };
}

/**
 * Streams one message into a session: appends `message_start`, then the source's chunks as
 * `message_delta`s, then `message_end` once the source is done, and resolves with the message's id,
 * the seqs of its events and its length. Chunks are coalesced: pending text is sent `flushMs` after
 * it arrived or as soon as `flushChars` are pending, whichever comes first, in one delta (a chunk
 * too long for one event is split across several). Appends are sequential, each with its own
 * idempotency key (`${idempotencyKey}-${n}`), so a retried append (the client retries after network
 * errors and 5xx) is stored once.
 *
 * If the source throws, or `signal` aborts, what was read is still sent but `message_end` is not: the
 * message stays open — shown as streaming, then as incomplete once the session completes — and the
 * call rejects with the source's error or the abort reason (a failing last flush is not reported
 * over it). If an append fails (a TRPCClientError, e.g. CONFLICT for a `messageId` that is already
 * open, or PAYLOAD_TOO_LARGE past `LIMITS.textChars` in all), reading stops and the call rejects
 * with that error.
 */
export async function streamMessage(
  client: StreamMessageClient,
  opts: StreamMessageOptions,
  source: AsyncIterable<string>,
): Promise<StreamMessageResult> {
  const api = 'api' in client ? client.api : client;
  const { sessionId, role, signal } = opts;
  const messageId = opts.messageId ?? newIdempotencyKey();
  const base = opts.idempotencyKey ?? newIdempotencyKey();
  const flushMs = opts.flushMs ?? 50;
  const flushChars = opts.flushChars ?? 1024;
  if (!isIdempotencyKey(base) || base.length > KEY_PREFIX_CHARS) {
    throw new RangeError(`idempotencyKey: ${IDEMPOTENCY_KEY_RULE}, at most ${KEY_PREFIX_CHARS}`);
  }
  if (!(flushMs >= 0 && flushMs < 2 ** 31)) throw new RangeError('flushMs: must be from 0 to 2^31 - 1');
  if (!(flushChars >= 1)) throw new RangeError('flushChars: must be at least 1');
  signal?.throwIfAborted();

  const seqs: number[] = [];
  let appends = 0;
  async function append(event: AgentEvent): Promise<void> {
    const idempotencyKey = `${base}-${appends++}`;
    const result = await api.events.append.mutate({ sessionId, events: [event], idempotencyKey });
    seqs.push(...result.seqs);
  }

  const iterator = source[Symbol.asyncIterator]();
  let stopped: { reason: unknown } | undefined;
  let interrupt: ((reason: unknown) => void) | undefined;
  /** Stops reading: the pending read rejects with `reason`, and the source is told to finish. */
  function stop(reason: unknown): void {
    if (stopped) return;
    stopped = { reason };
    interrupt?.(reason);
    void Promise.resolve()
      .then(() => iterator.return?.())
      .catch(() => {});
  }
  const coalescer = createCoalescer(append, { messageId, flushMs, flushChars, onFail: stop });
  const onAbort = () => stop(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });

  async function readAll(): Promise<void> {
    for (;;) {
      const result = await new Promise<IteratorResult<string>>((resolve, reject) => {
        if (stopped) return reject(stopped.reason);
        interrupt = reject;
        iterator.next().then(resolve, reject);
      });
      interrupt = undefined;
      if (result.done) return;
      coalescer.add(result.value);
    }
  }

  try {
    coalescer.send({ type: 'message_start', messageId, role });
    try {
      await readAll();
    } catch (err) {
      if (coalescer.failure) throw coalescer.failure.error;
      // The source failed or was aborted: send what it gave, and leave the message open.
      await coalescer.drain().catch(() => {});
      throw signal?.aborted ? signal.reason : err;
    }
    await coalescer.drain();
    signal?.throwIfAborted();
    await append({ type: 'message_end', messageId });
    return { messageId, seqs, chars: coalescer.chars };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
