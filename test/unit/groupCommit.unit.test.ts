import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../server/store/groupCommit.ts';

/** A write that completes when the test says so. */
function heldWrites() {
  const groups: number[][] = [];
  const release: Array<(err?: Error) => void> = [];
  const write = (records: number[]) =>
    new Promise<void>((resolve, reject) => {
      groups.push(records);
      release.push((err) => (err ? reject(err) : resolve()));
    });
  return { groups, release, write };
}

describe('createGroupCommit', () => {
  it('writes what arrives during a write as the next group, committing in order', async () => {
    const w = heldWrites();
    const gc = createGroupCommit<number>(w.write);
    const committed: number[] = [];
    const first = gc.enqueue(1, () => committed.push(1));
    const rest = [gc.enqueue(2, () => committed.push(2)), gc.enqueue(3, () => committed.push(3))];
    expect(w.groups).toEqual([[1]]);
    w.release[0]!();
    await first;
    expect(committed).toEqual([1]);
    expect(w.groups).toEqual([[1], [2, 3]]);
    w.release[1]!();
    await Promise.all(rest);
    expect(committed).toEqual([1, 2, 3]);
  });

  it('starts a new write for a record queued by a caller the moment its own write resolved', async () => {
    const gc = createGroupCommit<number>(async () => {});
    const done: number[] = [];
    // Each caller appends again right after its ack, as a sequential producer does.
    await gc.enqueue(1, () => done.push(1)).then(() => gc.enqueue(2, () => done.push(2)));
    await gc.enqueue(3, () => done.push(3));
    expect(done).toEqual([1, 2, 3]);
  });

  it('fails the group and everything queued behind it, tells onFailure, and recovers for the next', async () => {
    const w = heldWrites();
    const failures: unknown[] = [];
    const gc = createGroupCommit<number>(w.write, (cause) => failures.push(cause));
    const committed: number[] = [];
    const a = gc.enqueue(1, () => committed.push(1));
    const b = gc.enqueue(2, () => committed.push(2));
    w.release[0]!(new Error('disk full'));
    await expect(a).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'storage unavailable: write failed',
    });
    await expect(b).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(failures).toHaveLength(1);
    expect(committed).toEqual([]);
    const c = gc.enqueue(3, () => committed.push(3));
    w.release[1]!();
    await c;
    expect(committed).toEqual([3]);
    await gc.idle();
  });
});
