import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, onTestFailed } from 'vitest';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import { createLivetrailClient, type LivetrailClient } from '../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { expectedRowSeqs } from '../support/expectedRowSeqs.ts';
import { launchBrowser } from '../support/launchBrowser.ts';
import { type LivetrailPage, livetrailPage } from '../support/livetrailPage.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { type ServerProcess, startServerProcess } from '../support/startServerProcess.ts';

/** Where e2e screenshots go. */
export const RESULTS_DIR = join(REPO_ROOT, 'test-results');

/** Launches Chromium once per file; fails early when the SPA is not built. */
export async function launchForE2e(): Promise<Browser> {
  if (!existsSync(join(REPO_ROOT, 'dist/client/index.html'))) {
    throw new Error('dist/client is not built: run `npm run build` before `npm run test:e2e`');
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  return launchBrowser();
}

/** A screenshot file name from a test's name. */
export function screenshotPath(name: string): string {
  return join(RESULTS_DIR, `e2e-${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.png`);
}

/**
 * One test's world: a livetrail server process, a Node producer client, and browser contexts whose
 * pages are watched for uncaught errors; on failure it prints the pages' consoles and the server log.
 * `dispose()` stops all of it.
 */
export async function startAppHarness(
  browser: Browser,
  opts: { env?: Record<string, string>; producerToken?: string } = {},
) {
  const server: ServerProcess = await startServerProcess({ env: opts.env });
  const producer: LivetrailClient = createLivetrailClient({
    url: server.url,
    token: opts.producerToken,
    ...nodeTransports,
  });
  const contexts: BrowserContext[] = [];
  const pages: LivetrailPage[] = [];
  const pageErrors: string[] = [];
  const consoleLines: string[] = [];
  onTestFailed(() => {
    console.log(
      `--- browser console ---\n${consoleLines.join('\n')}\n--- server output ---\n${server.output()}`,
    );
  });

  function watch(page: Page): LivetrailPage {
    const n = pages.length + 1;
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => consoleLines.push(`[page ${n} ${m.type()}] ${m.text()}`));
    page.on('pageerror', (err) => pageErrors.push(err.stack ?? err.message));
    const app = livetrailPage(page);
    pages.push(app);
    return app;
  }

  async function newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
    contexts.push(context);
    return context;
  }

  /** A new page of `context` (a tab), watched, not yet navigated. */
  async function newPage(context: BrowserContext): Promise<LivetrailPage> {
    return watch(await context.newPage());
  }

  /** Opens `path` (relative to `base`, default the server) in a tab of `context` (default: a new one). */
  async function open(path: string, opts: { context?: BrowserContext; base?: string } = {}) {
    const app = await newPage(opts.context ?? (await newContext()));
    await app.page.goto(new URL(path, opts.base ?? server.url).href);
    return app;
  }

  async function createSession(title: string): Promise<string> {
    return (await producer.api.sessions.create.mutate({ title, agent: 'e2e-agent' })).id;
  }

  async function append(sessionId: string, events: AgentEvent[]): Promise<number[]> {
    const seqs: number[] = [];
    for (let i = 0; i < events.length; i += 1000) {
      const batch = events.slice(i, i + 1000);
      seqs.push(...(await producer.api.events.append.mutate({ sessionId, events: batch })).seqs);
    }
    return seqs;
  }

  /** The rows the timeline must show for everything the server holds for the session. */
  async function expectedRows(sessionId: string): Promise<number[]> {
    const all: StoredEvent[] = [];
    for (;;) {
      const after = all.at(-1)?.seq ?? 0;
      const page = await producer.api.events.list.query({ sessionId, after, limit: 1000 });
      all.push(...page.events);
      if (!page.hasMore) return expectedRowSeqs(all);
    }
  }

  /** Waits for every expected row, then asserts the timeline shows exactly those, once each, in order. */
  async function expectCompleteTimeline(app: LivetrailPage, sessionId: string): Promise<number[]> {
    const want = await expectedRows(sessionId);
    await app.waitForRows(want);
    const seqs = await app.rowSeqs();
    expect(seqs).toEqual(want);
    return seqs;
  }

  return {
    server,
    producer,
    pages,
    pageErrors,
    newContext,
    newPage,
    open,
    createSession,
    append,
    expectedRows,
    expectCompleteTimeline,
    /** Screenshots the first page (if any), then closes every context, the producer and the server. */
    async dispose(name: string) {
      await pages[0]?.page.screenshot({ path: screenshotPath(name), fullPage: true }).catch(() => undefined);
      for (const context of contexts) await context.close().catch(() => undefined);
      producer.close();
      await server.dispose();
    },
  };
}

/** What `startAppHarness` returns. */
export type AppHarness = Awaited<ReturnType<typeof startAppHarness>>;

/**
 * Registers one browser per file and returns a function that starts a harness (server, client,
 * pages) for the running test with its own options; each is disposed after its test, with a
 * screenshot named after it.
 */
export function useAppHarnessFactory(): (
  opts?: Parameters<typeof startAppHarness>[1],
) => Promise<AppHarness> {
  let browser: Browser | undefined;
  let current: AppHarness | undefined;
  beforeAll(async () => {
    browser = await launchForE2e();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async ({ task }) => {
    await current?.dispose(task.name);
    current = undefined;
  });
  return async (opts = {}) => {
    current = await startAppHarness(browser!, opts);
    return current;
  };
}

/**
 * Registers the usual hooks of an e2e file — one browser per file, a fresh harness per test with
 * `opts`, disposed with a screenshot named after the test — and returns the harness of the test
 * that is running.
 */
export function useAppHarness(opts: Parameters<typeof startAppHarness>[1] = {}): AppHarness {
  const start = useAppHarnessFactory();
  let current: AppHarness | undefined;
  beforeEach(async () => {
    current = await start(opts);
  });
  // The same object for the whole file, always speaking for the current test's harness.
  return new Proxy({} as AppHarness, { get: (_, key) => Reflect.get(current!, key) });
}

/** `n` thought events, numbered from `from`. */
export function thoughts(n: number, from = 1): AgentEvent[] {
  return Array.from({ length: n }, (_, i) => ({ type: 'thought', text: `thought ${from + i}` }));
}
