/**
 * A position in a session stream, as its tracked ids carry it: `<seq>` — every event through `seq`
 * delivered — or `<seq>~<from>` — the same, except that messages started at or after seq `from` and
 * still open at `seq` have had none of their text sent yet (a compacting backfill sends a message
 * whole at its end; see `server/hub/compactMessages.ts`). Resuming from either yields exactly the rest.
 */
export interface StreamCursor {
  seq: number;
  /** The first `message_start` seq whose message is withheld; absent when none is. */
  withheldFrom?: number;
}

const CURSOR = /^(\d{1,15})(?:~(\d{1,15}))?$/;

/** `<seq>` or `<seq>~<withheldFrom>`. */
export function formatStreamCursor(c: StreamCursor): string {
  return c.withheldFrom === undefined ? String(c.seq) : `${c.seq}~${c.withheldFrom}`;
}

/**
 * Decodes a stream position; undefined when absent, null when malformed (also when the withheld
 * message would start after the position itself).
 */
export function parseStreamCursor(id: string | number | null | undefined): StreamCursor | null | undefined {
  if (id === undefined || id === null || id === '') return undefined;
  if (typeof id === 'number') return Number.isSafeInteger(id) && id >= 0 ? { seq: id } : null;
  const m = CURSOR.exec(id);
  if (!m) return null;
  const seq = Number(m[1]);
  if (m[2] === undefined) return { seq };
  const withheldFrom = Number(m[2]);
  return withheldFrom >= 1 && withheldFrom <= seq ? { seq, withheldFrom } : null;
}

/**
 * Orders two positions: by seq, and at one seq a position with a withheld message comes before one
 * with fewer (a larger `withheldFrom`) or none. Negative when `a` is earlier.
 */
export function compareStreamCursors(a: StreamCursor, b: StreamCursor): number {
  if (a.seq !== b.seq) return a.seq - b.seq;
  if (a.withheldFrom === b.withheldFrom) return 0;
  if (a.withheldFrom === undefined) return 1;
  if (b.withheldFrom === undefined) return -1;
  return a.withheldFrom - b.withheldFrom;
}
