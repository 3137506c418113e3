import { describe, expect, it, vi } from 'vitest';

describe('newSessionId', () => {
  it('never starts with "-", so the CLI and shell tools do not read an id as an option', async () => {
    vi.resetModules();
    vi.doMock('node:crypto', () => ({ randomBytes: (n: number) => Buffer.alloc(n, 0xfb) }));
    const { newSessionId } = await import('../../server/domain/newSessionId.ts');
    // 0xfb… encodes as "-_-_…" in base64url.
    const id = newSessionId();
    expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    vi.doUnmock('node:crypto');
  });

  it('is 22 URL-safe characters and differs every time', async () => {
    vi.resetModules();
    const { newSessionId } = await import('../../server/domain/newSessionId.ts');
    const ids = new Set(Array.from({ length: 2000 }, newSessionId));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
