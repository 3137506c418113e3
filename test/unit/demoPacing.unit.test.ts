import { describe, expect, it } from 'vitest';
import { sessionPath } from '../../client/state/sessionRoute.ts';
import { parseDemoFlags } from '../../server/demo/parseDemoFlags.ts';
import { MIN_REPLY_WAIT_MS, REPLY_WAIT_MS, replyWaitMs } from '../../server/demo/replyWaitMs.ts';
import { sessionUrl } from '../../server/demo/sessionUrl.ts';

describe('how long a demo agent waits for a reply', () => {
  it('is 10 minutes at speed 1 and longer below it', () => {
    expect(REPLY_WAIT_MS).toBe(600_000);
    expect(replyWaitMs(1)).toBe(600_000);
    expect(replyWaitMs(0.5)).toBe(1_200_000);
  });

  it('is shortened by --speed but never below 2 minutes', () => {
    expect(MIN_REPLY_WAIT_MS).toBe(120_000);
    expect(replyWaitMs(2)).toBe(300_000);
    expect(replyWaitMs(5)).toBe(120_000);
    expect(replyWaitMs(4.9)).toBeGreaterThan(120_000);
    for (const speed of [5, 10, 20, 1000]) expect(replyWaitMs(speed)).toBe(120_000);
  });

  it('follows the parsed --speed', () => {
    expect(replyWaitMs(parseDemoFlags(['--speed', '3']).speed)).toBe(200_000);
    expect(replyWaitMs(parseDemoFlags([]).speed)).toBe(600_000);
  });
});

describe('the session URLs the demo prints', () => {
  it('are the web app’s session pages on the server the agents talk to', () => {
    expect(sessionUrl('http://127.0.0.1:3000', 'AbC_-9')).toBe('http://127.0.0.1:3000/sessions/AbC_-9');
    expect(sessionUrl('http://127.0.0.1:3000/', 'x')).toBe('http://127.0.0.1:3000/sessions/x');
    for (const id of ['AbC_-9', 'a b/c']) {
      expect(sessionUrl('http://h:1', id)).toBe(`http://h:1${sessionPath(id)}`);
    }
  });
});
