import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../server/config.ts';
import { DataDirInUseError } from '../../server/store/dataDirLock.ts';
import type { EventStore } from '../../server/store/eventStore.ts';
import { DamagedDatabaseError } from '../../server/store/openSqliteStore.ts';
import { DB_FILE } from '../../server/store/sqliteSchema.ts';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import { captureLog, tempDataDir } from '../support/sqliteFixture.ts';
import { startTestServer } from '../support/startTestServer.ts';

const thoughts = (n: number, tag: string, size = 300): AgentEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'thought', text: `${tag} ${i} ${'x'.repeat(size)}` }));

/** Appends batches until one fails; answers what was acknowledged and the error. */
async function fillUntilRefused(store: EventStore, sessionId: string) {
  const acknowledged: StoredEvent[] = [];
  for (let i = 0; i < 10_000; i++) {
    try {
      acknowledged.push(...(await store.append(sessionId, thoughts(20, `fill ${i}`, 2_000))));
    } catch (err) {
      return { acknowledged, err: err as LivetrailError };
    }
  }
  throw new Error('storage never filled up');
}

let data: Awaited<ReturnType<typeof tempDataDir>>;
afterEach(async () => {
  await data?.cleanup();
});

describe('one writer per data directory', () => {
  it('refuses a second store on the same directory, naming the holder, and frees it on close', async () => {
    data = await tempDataDir();
    const first = await data.open();
    const err = await data.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirInUseError);
    expect((err as Error).message).toBe(
      `data directory ${data.dir} is in use by another livetrail server (pid ${process.pid}): stop it, or set LIVETRAIL_DATA_DIR to another directory`,
    );
    // The refused open changed nothing for the holder.
    const s = await first.createSession({ title: 'still mine', agent: 'a' });
    await first.close();
    const second = await data.open();
    expect((await second.getSession(s.id))?.title).toBe('still mine');
  });
});

describe('a full disk', () => {
  for (const mode of ['thread', 'inline'] as const) {
    it(`answers UNAVAILABLE, says so in health, logs once, and loses nothing acknowledged (${mode} writer)`, async () => {
      data = await tempDataDir();
      const setup = await data.open();
      const s = await setup.createSession({ title: 'full', agent: 'a' });
      await setup.append(s.id, thoughts(5, 'before'));
      await setup.close();
      const pages = new Database(join(data.dir, DB_FILE)).pragma('page_count', { simple: true }) as number;

      const log = captureLog();
      const store = await data.open({ log: log.log, writer: { mode, maxPageCount: pages + 40 } });
      const { acknowledged, err } = await fillUntilRefused(store, s.id);
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(err).toBeInstanceOf(LivetrailError);
      expect(err.code).toBe('UNAVAILABLE');
      expect(err.message).toBe('storage unavailable: disk full');
      for (let i = 0; i < 3; i++) {
        await expect(store.append(s.id, thoughts(20, 'more', 2_000))).rejects.toMatchObject({
          code: 'UNAVAILABLE',
        });
      }
      expect(store.health()).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/^disk full: writes failing since /),
      });
      expect(log.error).toHaveLength(1);
      expect(log.error[0]).toMatch(/^sqlite: disk full: appends are refused until writes succeed again/);
      // Reads go on, and show exactly what was acknowledged.
      const session = await store.getSession(s.id);
      expect(session!.lastSeq).toBe(5 + acknowledged.length);
      await store.close();

      const after = await data.open();
      const stored = await after.readEvents(s.id, { after: 5, limit: 100_000 });
      expect(stored).toEqual(acknowledged);
      const [next] = await after.append(s.id, [{ type: 'thought', text: 'room again' }]);
      expect(next!.seq).toBe(5 + acknowledged.length + 1);
    });
  }

  it('over HTTP: appends answer 503 and /healthz and /readyz say disk full', async () => {
    data = await tempDataDir();
    const setup = await data.open();
    const s = await setup.createSession({ title: 'http', agent: 'a' });
    await setup.close();
    const pages = new Database(join(data.dir, DB_FILE)).pragma('page_count', { simple: true }) as number;
    const store = await data.open({ writer: { maxPageCount: pages + 10 } });
    const server = await startTestServer({
      store,
      config: { limits: { ...defaultConfig().limits, appendBurst: 1e6, appendRatePerSec: 1e6 } },
    });
    try {
      const append = () =>
        fetch(`${server.url}/trpc/events.append`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sessionId: s.id, events: thoughts(20, 'http', 2_000) }),
        });
      let res = await append();
      for (let i = 0; i < 200 && res.status === 200; i++) res = await append();
      expect(res.status).toBe(503);
      // What went wrong stays in the log (under the ref); the client learns it is the storage.
      expect(await res.json()).toMatchObject({
        error: {
          message: expect.stringMatching(/^storage unavailable \(ref [\w-]+\)$/),
          data: { code: 'SERVICE_UNAVAILABLE' },
        },
      });
      for (const path of ['/healthz', '/readyz']) {
        const health = await fetch(`${server.url}${path}`);
        expect(health.status).toBe(503);
        expect(await health.json()).toMatchObject({
          ok: false,
          store: 'sqlite',
          detail: expect.stringMatching(/^disk full/),
        });
      }
    } finally {
      await server.stop();
    }
  });

  let mounted: string | undefined;
  afterEach(() => {
    if (mounted) execFileSync('umount', [mounted]);
    mounted = undefined;
  });

  /** A real small filesystem, where this machine lets tests mount one (root in a container). */
  function mountTmpfs(dir: string, size: string): boolean {
    mkdirSync(dir, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
      mounted = dir;
      return true;
    } catch {
      return false;
    }
  }

  it('on a real full tmpfs: 503s while full, then writable again once space is freed (probe)', async (ctx) => {
    data = await tempDataDir();
    const dir = join(data.dir, 'small');
    if (!mountTmpfs(dir, '3m')) ctx.skip('this machine does not allow mounting a tmpfs');
    // Ballast to free later, as an operator would by deleting old files.
    writeFileSync(join(dir, 'ballast'), Buffer.alloc(1024 * 1024));
    const log = captureLog();
    const store = await data.open({ dir, log: log.log, store: { probeIntervalMs: 100 } });
    const s = await store.createSession({ title: 'tmpfs', agent: 'a' });
    const { acknowledged, err } = await fillUntilRefused(store, s.id);
    expect(err.message).toMatch(/^storage unavailable: (disk full|I\/O error)$/);
    expect(store.health().ok).toBe(false);
    expect(log.error).toHaveLength(1);

    await rm(join(dir, 'ballast'));
    await vi.waitFor(() => expect(store.health()).toMatchObject({ ok: true }), { timeout: 5_000 });
    expect(log.info.some((m) => m.startsWith('sqlite: writes succeed again'))).toBe(true);
    const [next] = await store.append(s.id, [{ type: 'thought', text: 'after' }]);
    expect(next!.seq).toBe(acknowledged.length + 1);
    await store.close();
    const reopened = await data.open({ dir });
    expect((await reopened.readEvents(s.id, { after: 0, limit: 100_000 })).length).toBe(
      acknowledged.length + 1,
    );
    await reopened.close();
  });
});

/** Overwrites `pages` database pages from the middle of the file with junk. */
function damage(path: string, pages = 3): void {
  const pageCount = statSync(path).size / 4096;
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(4096 * pages, 0x5a), 0, 4096 * pages, Math.floor(pageCount / 2) * 4096);
  closeSync(fd);
}

describe('a damaged database', () => {
  async function seedThree() {
    const store = await data.open();
    const trails = new Map<string, StoredEvent[]>();
    for (let k = 0; k < 3; k++) {
      const s = await store.createSession({ title: `trail ${k}`, agent: 'a' });
      const events: StoredEvent[] = [];
      for (let b = 0; b < 20; b++) events.push(...(await store.append(s.id, thoughts(50, `s${k} b${b}`))));
      trails.set(s.id, events);
    }
    await store.close();
    return trails;
  }

  it('refuses to start with one line saying what to do', async () => {
    data = await tempDataDir();
    await seedThree();
    damage(join(data.dir, DB_FILE));
    const err = await data.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DamagedDatabaseError);
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(
      /livetrail\.db is damaged \(.+\): restore a backup \(npm run backup makes one\), or start once with LIVETRAIL_RECOVER=1 to keep what is readable$/,
    );
    // Refusing released the lock: the recover start can take the directory.
    await expect(data.open({ recover: true })).resolves.toBeDefined();
  });

  it('recovers what is readable and marks the sessions that lost events', async () => {
    data = await tempDataDir();
    const trails = await seedThree();
    damage(join(data.dir, DB_FILE));
    const log = captureLog();
    const store = await data.open({ recover: true, log: log.log });
    const marked: string[] = [];
    for (const [id, original] of trails) {
      const session = (await store.getSession(id))!;
      const kept = await store.readEvents(id, { after: 0, limit: 10_000 });
      // What is kept is a true prefix of what was stored: nothing changed, nothing reordered.
      expect(kept).toEqual(original.slice(0, kept.length));
      expect(session.lastSeq).toBe(kept.length);
      if (kept.length < original.length) {
        marked.push(id);
        expect(session.recovered).toMatchObject({ keptThrough: kept.length, lostThrough: original.length });
      } else expect(session.recovered).toBeUndefined();
    }
    expect(marked.length).toBeGreaterThan(0);
    expect(
      log.warn.some((m) =>
        /^sqlite: recovered 3 sessions and \d+ events \(\d+ sessions? lost events/.test(m),
      ),
    ).toBe(true);

    // New events continue after the kept end; the mark stays, so resuming viewers are reset.
    const damagedId = marked[0]!;
    const before = (await store.getSession(damagedId))!;
    const [next] = await store.append(damagedId, [{ type: 'thought', text: 'after recovery' }]);
    expect(next!.seq).toBe(before.lastSeq + 1);
    await store.close();
    const reopened = await data.open();
    expect((await reopened.getSession(damagedId))!.recovered).toEqual(before.recovered);
  });
});
