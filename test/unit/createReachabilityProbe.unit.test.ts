import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  askHealth,
  createReachabilityProbe,
  healthFromYesNo,
} from '../../shared/connection/createReachabilityProbe.ts';
import type { HealthAnswer } from '../../shared/describeConnectionError.ts';

/** An `ask` whose answers the test gives by hand, one per question. */
function manualAsk() {
  const questions: { url: string; answer(a: HealthAnswer): void; fail(err: unknown): void }[] = [];
  const ask = (url: string) =>
    new Promise<HealthAnswer>((resolve, reject) => questions.push({ url, answer: resolve, fail: reject }));
  return { ask, questions };
}

describe('createReachabilityProbe', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('asks every interval, never two questions at once, until the server is ready', async () => {
    const { ask, questions } = manualAsk();
    const onReady = vi.fn();
    const probe = createReachabilityProbe({
      random: () => 1,
      url: 'http://h:1',
      everyMs: 1000,
      ask,
      onReady,
    });
    probe.start();
    expect(probe.running()).toBe(true);
    await vi.advanceTimersByTimeAsync(999);
    expect(questions).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(questions.map((q) => q.url)).toEqual(['http://h:1']);
    // No answer yet: however long it takes, no second question.
    await vi.advanceTimersByTimeAsync(5000);
    expect(questions).toHaveLength(1);
    questions[0]!.answer('unreachable');
    await vi.advanceTimersByTimeAsync(999);
    expect(questions).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(questions).toHaveLength(2);
    questions[1]!.answer('not_ready');
    await vi.advanceTimersByTimeAsync(1000);
    expect(questions).toHaveLength(3);
    expect(onReady).not.toHaveBeenCalled();
    questions[2]!.answer('ready');
    await vi.advanceTimersByTimeAsync(0);
    expect(onReady).toHaveBeenCalledTimes(1);
    expect(probe.running()).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(questions).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('drops an answer that arrives after stop, and leaves no timer behind', async () => {
    const { ask, questions } = manualAsk();
    const onReady = vi.fn();
    const probe = createReachabilityProbe({ random: () => 1, url: 'u', everyMs: 100, ask, onReady });
    probe.start();
    await vi.advanceTimersByTimeAsync(100);
    probe.stop();
    expect(probe.running()).toBe(false);
    questions[0]!.answer('ready');
    await vi.advanceTimersByTimeAsync(1000);
    expect(onReady).not.toHaveBeenCalled();
    expect(questions).toHaveLength(1);
    probe.start();
    probe.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('drops the answer to a stopped loop even once a new loop runs', async () => {
    const { ask, questions } = manualAsk();
    const onReady = vi.fn();
    const probe = createReachabilityProbe({ random: () => 1, url: 'u', everyMs: 100, ask, onReady });
    probe.start();
    await vi.advanceTimersByTimeAsync(100);
    probe.stop();
    probe.start();
    questions[0]!.answer('ready');
    await vi.advanceTimersByTimeAsync(0);
    expect(onReady).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(100);
    questions[1]!.answer('ready');
    await vi.advanceTimersByTimeAsync(0);
    expect(onReady).toHaveBeenCalledTimes(1);
  });

  it('asks first at a random point of the first interval, then every interval', async () => {
    const { ask, questions } = manualAsk();
    const probe = createReachabilityProbe({
      url: 'u',
      everyMs: 1000,
      ask,
      onReady: () => {},
      random: () => 0.25,
    });
    probe.start();
    await vi.advanceTimersByTimeAsync(249);
    expect(questions).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(questions).toHaveLength(1);
    questions[0]!.answer('unreachable');
    await vi.advanceTimersByTimeAsync(999);
    expect(questions).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(questions).toHaveLength(2);
    probe.stop();
  });

  it('starts once however often it is started', async () => {
    const { ask, questions } = manualAsk();
    const probe = createReachabilityProbe({
      random: () => 1,
      url: 'u',
      everyMs: 100,
      ask,
      onReady: () => {},
    });
    probe.start();
    probe.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(questions).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    probe.stop();
  });

  it('takes a question that throws as no answer, and keeps asking', async () => {
    const { ask, questions } = manualAsk();
    const probe = createReachabilityProbe({
      random: () => 1,
      url: 'u',
      everyMs: 100,
      ask,
      onReady: () => {},
    });
    probe.start();
    await vi.advanceTimersByTimeAsync(100);
    questions[0]!.fail(new Error('boom'));
    await vi.advanceTimersByTimeAsync(100);
    expect(questions).toHaveLength(2);
    probe.stop();
  });
});

describe('askHealth', () => {
  afterEach(() => vi.unstubAllGlobals());

  const answering = (status: number | Error) => {
    const fetch = vi.fn(async (_url: string, _init?: RequestInit) => {
      if (status instanceof Error) throw status;
      return new Response(null, { status });
    });
    vi.stubGlobal('fetch', fetch);
    return fetch;
  };

  it('asks /healthz on the same origin, uncached and with a time limit', async () => {
    const fetch = answering(200);
    expect(await askHealth('http://127.0.0.1:9//')).toBe('ready');
    expect(fetch).toHaveBeenCalledWith(
      'http://127.0.0.1:9/healthz',
      expect.objectContaining({ cache: 'no-store', signal: expect.any(AbortSignal) }),
    );
  });

  it.each([
    [200, 'ready'],
    [204, 'ready'],
    [299, 'ready'],
    [300, 'not_ready'],
    [404, 'not_ready'],
    [499, 'not_ready'],
    [503, 'not_ready'],
    [500, 'unreachable'],
    [502, 'unreachable'],
    [504, 'unreachable'],
  ] as const)('takes HTTP %i as %s', async (status, answer) => {
    answering(status);
    expect(await askHealth('http://h')).toBe(answer);
  });

  it('takes no answer as unreachable', async () => {
    answering(new TypeError('fetch failed'));
    expect(await askHealth('http://h')).toBe('unreachable');
  });

  it('turns a yes/no question into ready or unreachable', async () => {
    expect(await healthFromYesNo(async () => true)('u')).toBe('ready');
    expect(await healthFromYesNo(async () => false)('u')).toBe('unreachable');
  });
});
