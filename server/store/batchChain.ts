/** What the chain check needs of a stored batch. */
export interface BatchLink {
  seq: number;
  lastSeq: number;
  events: readonly { seq: number }[];
}

/**
 * The first break in batches read in seq order, the first of which must hold seq `after + 1`: a
 * gap (seqs missing), an overlap (a seq stored twice) or a batch whose events disagree with its
 * range. Undefined when the chain is whole. Appends cannot produce a break (see mongoStore.ts);
 * this is the reader's check that the argument holds on the data it serves.
 */
export function chainBreak(batches: readonly BatchLink[], after: number): string | undefined {
  let expected = after + 1;
  for (const [i, b] of batches.entries()) {
    const size = b.lastSeq - b.seq + 1;
    if (b.events.length !== size || b.events[0]?.seq !== b.seq || b.events.at(-1)?.seq !== b.lastSeq) {
      return `batch at seq ${b.seq} holds events that do not match its range ${b.seq}–${b.lastSeq}`;
    }
    const fits = i === 0 ? b.seq <= expected && b.lastSeq >= expected : b.seq === expected;
    if (!fits) {
      return b.seq > expected
        ? `gap: seq ${expected}–${b.seq - 1} missing`
        : `overlap: seq ${b.seq} stored again after ${expected - 1}`;
    }
    expected = b.lastSeq + 1;
  }
  return undefined;
}
