import { describe, expect, it } from 'vitest';
import { createRateLimiter, type RateLimiterOptions } from '../../server/domain/createRateLimiter.ts';

/** A limiter on a hand-driven clock. */
function limiter(opts: Omit<RateLimiterOptions, 'now'>) {
  const clock = { t: 1_000_000 };
  const rl = createRateLimiter({ ...opts, now: () => clock.t });
  return {
    take: rl.take,
    available: rl.available,
    advance(ms: number) {
      clock.t += ms;
    },
  };
}

describe('createRateLimiter', () => {
  it('lets a fresh key spend exactly its burst, then refuses', () => {
    const rl = limiter({ ratePerSec: 10, burst: 5 });
    for (let i = 0; i < 5; i++) expect(rl.take('k', 1)).toEqual({ ok: true });
    expect(rl.take('k', 1)).toEqual({ ok: false, retryAfterMs: 100 });
  });

  it('lets a fresh key spend its whole burst at once, then refuses one more', () => {
    const rl = limiter({ ratePerSec: 10, burst: 5 });
    expect(rl.take('k', 5)).toEqual({ ok: true });
    expect(rl.take('k', 1)).toEqual({ ok: false, retryAfterMs: 100 });
  });

  it('refills at the rate', () => {
    const rl = limiter({ ratePerSec: 10, burst: 5 });
    rl.take('k', 5);
    rl.advance(100);
    expect(rl.take('k', 1)).toEqual({ ok: true });
    expect(rl.take('k', 1).ok).toBe(false);
    rl.advance(300);
    expect(rl.take('k', 3)).toEqual({ ok: true });
    expect(rl.take('k', 1).ok).toBe(false);
  });

  it('refills no further than the burst however long the key is idle', () => {
    const rl = limiter({ ratePerSec: 10, burst: 5 });
    rl.take('k', 5);
    rl.advance(3_600_000);
    expect(rl.take('k', 5)).toEqual({ ok: true });
    expect(rl.take('k', 1)).toEqual({ ok: false, retryAfterMs: 100 });
  });

  it('says exactly how long until the bucket holds the cost', () => {
    const rl = limiter({ ratePerSec: 10, burst: 10 });
    rl.take('k', 10);
    rl.advance(50);
    // 0.5 units held; 3 needed: 2.5 more at 10/s is 250 ms.
    expect(rl.take('k', 3)).toEqual({ ok: false, retryAfterMs: 250 });
  });

  it('rounds a fractional wait up to the next millisecond', () => {
    const rl = limiter({ ratePerSec: 3, burst: 3 });
    rl.take('k', 3);
    expect(rl.take('k', 1)).toEqual({ ok: false, retryAfterMs: 334 });
    rl.advance(333);
    expect(rl.take('k', 1)).toEqual({ ok: false, retryAfterMs: 1 });
    rl.advance(1);
    expect(rl.take('k', 1)).toEqual({ ok: true });
  });

  it('refuses 1 ms before retryAfterMs and allows at exactly retryAfterMs', () => {
    const rl = limiter({ ratePerSec: 10, burst: 10 });
    rl.take('k', 10);
    const refused = rl.take('k', 3);
    expect(refused).toEqual({ ok: false, retryAfterMs: 300 });
    rl.advance(299);
    expect(rl.take('k', 3).ok).toBe(false);
    rl.advance(1);
    expect(rl.take('k', 3)).toEqual({ ok: true });
  });

  it('waiting retryAfterMs is enough at the default rate for any batch size', () => {
    // LIVETRAIL_APPEND_RATE and LIVETRAIL_APPEND_BURST defaults: a spent token appends 29 events.
    const rl = limiter({ ratePerSec: 200, burst: 2000 });
    rl.take('agent#1', 2000);
    expect(rl.take('agent#1', 29)).toEqual({ ok: false, retryAfterMs: 145 });
    rl.advance(145);
    expect(rl.take('agent#1', 29)).toEqual({ ok: true });
    const stillRefused: number[] = [];
    for (let n = 1; n <= 2000; n++) {
      const each = limiter({ ratePerSec: 200, burst: 2000 });
      each.take('agent#1', 2000);
      const refused = each.take('agent#1', n);
      if (refused.ok) throw new Error(`a batch of ${n} was not refused`);
      each.advance(refused.retryAfterMs);
      if (!each.take('agent#1', n).ok) stillRefused.push(n);
    }
    expect(stillRefused.length).toBe(0);
  });

  it('refuses 1 ms before retryAfterMs at the default rate for any batch size', () => {
    // 1 ms after the burst is spent 0.2 units are back; 2 need 1.8 more: 9 ms at 200/s.
    const rl = limiter({ ratePerSec: 200, burst: 2000 });
    rl.take('agent#1', 2000);
    rl.advance(1);
    expect(rl.take('agent#1', 2)).toEqual({ ok: false, retryAfterMs: 9 });
    const overstated: number[] = [];
    for (let n = 1; n <= 2000; n++) {
      const each = limiter({ ratePerSec: 200, burst: 2000 });
      each.take('agent#1', 2000);
      each.advance(1);
      const refused = each.take('agent#1', n);
      if (refused.ok) throw new Error(`a batch of ${n} was not refused`);
      each.advance(refused.retryAfterMs - 1);
      if (refused.retryAfterMs > 1 && each.take('agent#1', n).ok) overstated.push(n);
    }
    expect(overstated.length).toBe(0);
  });

  it('spends nothing on a refusal', () => {
    const rl = limiter({ ratePerSec: 10, burst: 10 });
    rl.take('k', 10);
    rl.advance(200);
    for (let i = 0; i < 5; i++) expect(rl.take('k', 3)).toEqual({ ok: false, retryAfterMs: 100 });
    expect(rl.take('k', 2)).toEqual({ ok: true });
  });

  it('does not push the wait back when a refused caller keeps asking', () => {
    const rl = limiter({ ratePerSec: 10, burst: 10 });
    rl.take('k', 10);
    expect(rl.take('k', 5)).toEqual({ ok: false, retryAfterMs: 500 });
    for (let i = 0; i < 5; i++) {
      rl.advance(99);
      expect(rl.take('k', 5).ok).toBe(false);
    }
    rl.advance(5);
    expect(rl.take('k', 5)).toEqual({ ok: true });
  });

  it('charges a request above the burst the whole burst', () => {
    const rl = limiter({ ratePerSec: 10, burst: 5 });
    expect(rl.take('k', 500)).toEqual({ ok: true });
    expect(rl.take('k', 1)).toEqual({ ok: false, retryAfterMs: 100 });
  });

  it('makes a request above the burst wait for a full bucket, never longer', () => {
    const rl = limiter({ ratePerSec: 10, burst: 5 });
    rl.take('k', 1);
    expect(rl.take('k', 500)).toEqual({ ok: false, retryAfterMs: 100 });
    rl.take('k', 4);
    expect(rl.take('k', 500)).toEqual({ ok: false, retryAfterMs: 500 });
    rl.advance(500);
    expect(rl.take('k', 500)).toEqual({ ok: true });
  });

  it('charges a request of exactly the burst the burst, and one past it no more', () => {
    const rl = limiter({ ratePerSec: 1, burst: 5 });
    rl.take('a', 5);
    rl.take('b', 6);
    expect(rl.take('a', 1)).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(rl.take('b', 1)).toEqual({ ok: false, retryAfterMs: 1000 });
  });

  it('reports what a key could spend without spending it', () => {
    const rl = limiter({ ratePerSec: 10, burst: 5 });
    expect(rl.available('k')).toBe(5);
    rl.take('k', 5);
    rl.advance(200);
    expect(rl.available('k')).toBeCloseTo(2);
    expect(rl.available('k')).toBeCloseTo(2);
    expect(rl.take('k', 2)).toEqual({ ok: true });
  });

  it('keeps a bucket per key', () => {
    const rl = limiter({ ratePerSec: 1, burst: 3 });
    expect(rl.take('agent#1', 3)).toEqual({ ok: true });
    expect(rl.take('agent#1', 1).ok).toBe(false);
    expect(rl.take('agent#2', 3)).toEqual({ ok: true });
    expect(rl.take('ip:192.0.2.1', 3)).toEqual({ ok: true });
    expect(rl.take('agent#2', 1).ok).toBe(false);
  });

  it('drops an idle (full) bucket for a new key rather than a busy one', () => {
    const rl = limiter({ ratePerSec: 1, burst: 10, maxKeys: 3 });
    rl.take('busy-oldest', 10);
    rl.take('busy', 10);
    rl.take('idle', 1);
    rl.advance(1000);
    // `idle` is full again; the other two hold 1 unit each.
    expect(rl.take('new', 1)).toEqual({ ok: true });
    expect(rl.take('busy-oldest', 2)).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(rl.take('busy', 2)).toEqual({ ok: false, retryAfterMs: 1000 });
  });

  it('keeps at most maxKeys buckets when every one is busy, forgetting the oldest', () => {
    const rl = limiter({ ratePerSec: 1, burst: 10, maxKeys: 3 });
    for (let i = 0; i < 1000; i++) expect(rl.take(`k${i}`, 10)).toEqual({ ok: true });
    // The newest three are remembered (refusals add no bucket)...
    for (const k of ['k999', 'k998', 'k997']) expect(rl.take(k, 1).ok).toBe(false);
    // ...and the fourth newest was forgotten.
    expect(rl.take('k996', 10)).toEqual({ ok: true });
  });

  it('keeps exactly maxKeys busy buckets without dropping any', () => {
    const rl = limiter({ ratePerSec: 1, burst: 10, maxKeys: 3 });
    for (const k of ['a', 'b', 'c']) rl.take(k, 10);
    for (const k of ['a', 'b', 'c']) expect(rl.take(k, 1).ok).toBe(false);
  });

  it('does not evict for a key it already holds', () => {
    const rl = limiter({ ratePerSec: 1, burst: 10, maxKeys: 2 });
    rl.take('a', 10);
    rl.take('b', 5);
    expect(rl.take('b', 5)).toEqual({ ok: true });
    expect(rl.take('a', 1).ok).toBe(false);
    expect(rl.take('b', 1).ok).toBe(false);
  });
});
