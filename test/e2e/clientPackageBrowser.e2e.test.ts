import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packClient } from '../../shared/build/packClient.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { type ServerProcess, startServerProcess } from '../support/startServerProcess.ts';
import { launchForE2e } from './appHarness.ts';

/** What a follower in the page saw. */
interface BrowserRun {
  seqs: number[];
  transports: string[];
}

/**
 * The packed package's browser entry (dist/index.js, what a bundler picks without the `node`
 * condition), bundled as a web app would bundle it and run in Chromium on the server's origin: it
 * must follow a session to `complete` with the page's own EventSource and WebSocket.
 */
describe('@livetrail/client in a browser', () => {
  let browser: Browser;
  let server: ServerProcess;
  let page: Page;
  let bundle: string;

  beforeAll(async () => {
    await packClient();
    const entry = join(REPO_ROOT, 'dist/client-package/dist/index.js');
    const result = await build({
      stdin: {
        contents: `import * as client from ${JSON.stringify(entry)}; globalThis.livetrailClient = client;`,
        resolveDir: REPO_ROOT,
      },
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    bundle = result.outputFiles[0]!.text;
    [browser, server] = await Promise.all([launchForE2e(), startServerProcess()]);
    page = await browser.newPage();
    await page.goto(server.url);
    // Evaluated over the DevTools protocol, so the page's CSP (script-src 'self') does not apply.
    await page.evaluate(bundle);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  for (const mode of ['sse', 'ws'] as const) {
    it(`follows a session to complete over ${mode === 'sse' ? 'EventSource' : 'WebSocket'}`, async () => {
      const run = await page.evaluate(
        async ({ url, mode }): Promise<BrowserRun> => {
          const lt = (globalThis as unknown as { livetrailClient: typeof import('../../shared/index.ts') })
            .livetrailClient;
          const { api, close } = lt.createLivetrailClient({ url });
          const session = await api.sessions.create.mutate({ title: `browser ${mode}` });
          await api.events.append.mutate({
            sessionId: session.id,
            events: [{ type: 'assistant_message', text: 'before the follower' }],
          });
          const seqs: number[] = [];
          const transports = new Set<string>();
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no complete; got ${seqs.join(',')}`)), 20_000);
            const follower = lt.followSession({
              url,
              sessionId: session.id,
              mode,
              onEvent(event) {
                seqs.push(event.seq);
                if (event.seq !== 1) return;
                api.events.append
                  .mutate({ sessionId: session.id, events: [{ type: 'thought', text: 'live' }] })
                  .then(() => api.sessions.complete.mutate({ sessionId: session.id, status: 'succeeded' }))
                  .catch(reject);
              },
              onState(state) {
                if (state.status === 'connected') transports.add(state.transport);
                if (state.status === 'failed') reject(new Error(state.error));
              },
              onEnd() {
                clearTimeout(timer);
                follower.close();
                resolve();
              },
            });
          });
          close();
          return { seqs, transports: [...transports] };
        },
        { url: server.url, mode },
      );
      expect(run.seqs).toEqual([1, 2, 3]);
      expect(run.transports).toEqual([mode]);
    }, 60_000);
  }

  it('bundles for the browser without eventsource or ws', () => {
    expect(bundle).not.toMatch(/eventsource-parser|WebSocketServer|require\("ws"\)/);
    expect(bundle).toContain('followSession');
  });
});
