import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';
import { describe, expect, test, vi } from 'vitest';
import { type LivetrailPage, SEL } from '../support/livetrailPage.ts';
import { type AppHarness, useAppHarnessFactory } from './appHarness.ts';

const ADMIN = 'admin-token-e2e-0123456789';
const AGENT = 'agent-token-e2e-0123456789';
const VIEWER = 'viewer-token-e2e-0123456789';
const TOKENS = `admin:${ADMIN},agent:${AGENT},viewer:${VIEWER}`;
const WITH_AUTH = { env: { LIVETRAIL_TOKENS: TOKENS }, producerToken: AGENT };

const SIGNIN = {
  form: '[data-testid=signin]',
  token: '[data-testid=signin-token]',
  submit: '[data-testid=signin-submit]',
  error: '[data-testid=signin-error]',
  role: '[data-testid=auth-role]',
} as const;

/** What the foreign page's script saw; set by the inline script of `foreignPageHtml`. */
interface ForeignResult {
  ws: string[];
  wsSettled: boolean;
  corsPost?: string;
  noCorsPost?: string;
}

declare global {
  interface Window {
    __result?: ForeignResult;
  }
}

/** A fresh harness for this test, with its own server options; disposed (with a screenshot) after it. */
const harness = useAppHarnessFactory();

/** The sign-in URL the server printed at start (`livetrail: sign in at …`). */
async function printedSignInUrl(h: AppHarness): Promise<string> {
  return vi.waitFor(
    () => {
      const match = /livetrail: sign in at (http:\/\/\S+)/.exec(h.server.output());
      if (!match) throw new Error(`no sign-in line yet in:\n${h.server.output()}`);
      return match[1]!;
    },
    { timeout: 10_000, interval: 50 },
  );
}

/** Waits for the app (not the sign-in screen) signed in with `role`, its live feed connected. */
async function expectSignedIn(app: LivetrailPage, role: string): Promise<void> {
  await app.page.locator(SIGNIN.role).filter({ hasText: role }).waitFor();
  await app.waitForIndicator(['connected']);
  expect(await app.page.locator(SIGNIN.form).count()).toBe(0);
}

/** The session's stored user messages with `text`, read by the producer. */
async function storedMessages(h: AppHarness, sessionId: string, text: string) {
  const { events } = await h.producer.api.events.list.query({ sessionId, limit: 1000 });
  return events.filter((e) => e.type === 'user_message' && e.text.includes(text));
}

/** Types `text` into the composer and sends it. */
async function sendFromComposer(app: LivetrailPage, text: string): Promise<void> {
  await app.page.locator(SEL.composerInput).fill(text);
  await app.page.locator(SEL.composerSend).click();
}

/**
 * The attacker's page: opens livetrail's WebSocket (and, if it opens, sends `sessions.sendMessage`
 * over it, as a cross-site WebSocket hijack would) and posts `sessions.sendMessage` over HTTP both as
 * a preflighted CORS request and as a no-cors "simple" request, recording what happened.
 */
function foreignPageHtml(livetrailPort: number, sessionId: string): string {
  const config = JSON.stringify({ port: livetrailPort, sessionId });
  return `<!doctype html><html><head><title>elsewhere</title></head><body><p>another origin</p>
<script>
const { port, sessionId } = ${config};
const r = { ws: [], wsSettled: false };
window.__result = r;
const evil = JSON.stringify({ sessionId, text: 'evil' });
const ws = new WebSocket('ws://127.0.0.1:' + port + '/ws');
ws.onopen = () => {
  r.ws.push('open');
  ws.send(JSON.stringify({ id: 1, method: 'mutation', params: { path: 'sessions.sendMessage', input: { sessionId, text: 'evil' } } }));
};
ws.onmessage = (e) => { r.ws.push('message ' + String(e.data).slice(0, 200)); r.wsSettled = true; };
ws.onerror = () => r.ws.push('error');
ws.onclose = (e) => { r.ws.push('close ' + e.code); r.wsSettled = true; };
const post = (mode) => fetch('http://127.0.0.1:' + port + '/trpc/sessions.sendMessage', {
  method: 'POST', mode, credentials: 'include', headers: { 'content-type': 'application/json' }, body: evil,
}).then((res) => (res.type === 'opaque' ? 'opaque response' : 'status ' + res.status), (err) => 'failed: ' + err.name);
post('cors').then((s) => { r.corsPost = s; });
post('no-cors').then((s) => { r.noCorsPost = s; });
</script></body></html>`;
}

/** A tiny HTTP server on another port of 127.0.0.1 (another origin, same site) serving one page. */
async function startForeignSite(html: () => string) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Opens the foreign page in `context` and waits until its WebSocket and both posts are settled. */
async function runForeignPage(h: AppHarness, context: BrowserContext, url: string): Promise<ForeignResult> {
  const page = (await h.newPage(context)).page;
  await page.goto(url);
  await page.waitForFunction(() => {
    const r = window.__result;
    return r?.wsSettled && r.corsPost !== undefined && r.noCorsPost !== undefined;
  });
  const result = await page.evaluate(() => window.__result!);
  await page.close();
  return result;
}

/** A context signed in to `h`'s server through its printed sign-in URL. */
async function signedInContext(h: AppHarness): Promise<BrowserContext> {
  const context = await h.newContext();
  const app = await h.open(await printedSignInUrl(h), { context });
  await expectSignedIn(app, 'admin');
  return context;
}

describe('access control in chromium', () => {
  test('signs in through the printed url, works, and stays signed in after a reload', async () => {
    const h = await harness(WITH_AUTH);
    const title = `private session ${Date.now()}`;
    const id = await h.createSession(title);
    await h.append(id, [
      { type: 'user_message', text: 'summarise the logs' },
      { type: 'assistant_message', text: 'reading them now' },
    ]);

    // No cookie: the sign-in screen, and nothing of the sessions.
    const app = await h.open('/');
    await app.page.locator(SIGNIN.form).waitFor();
    await app.page.locator(SIGNIN.token).waitFor();
    expect(await app.page.locator(SIGNIN.token).getAttribute('type')).toBe('password');
    expect(await app.page.locator(SIGNIN.submit).textContent()).toBe('Sign in');
    expect(await app.page.locator(SEL.sessionItem).count()).toBe(0);
    expect(await app.page.content()).not.toContain(title);

    const signInUrl = await printedSignInUrl(h);
    expect(signInUrl).toBe(`${h.server.url}/?token=${ADMIN}`);
    await app.page.goto(signInUrl);
    await app.page.waitForURL((u) => !u.search.includes('token='));
    expect(app.page.url()).not.toContain('token=');
    expect(app.page.url()).not.toContain(ADMIN);

    const item = app.page.locator(`${SEL.sessionItem}[data-session-id="${id}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain(title);
    await expectSignedIn(app, 'admin');

    const cookies = await app.page.context().cookies();
    const cookie = cookies.find((c) => c.name === 'livetrail_token');
    expect(cookie).toMatchObject({ value: ADMIN, httpOnly: true, sameSite: 'Strict', path: '/' });
    // HttpOnly: the page's own script cannot read it.
    expect(await app.page.evaluate(() => document.cookie)).not.toContain('livetrail_token');

    await item.click();
    await app.page.waitForURL(`**/sessions/${id}`);
    await h.expectCompleteTimeline(app, id);
    await h.append(id, [
      { type: 'thought', text: 'the error is in the parser' },
      { type: 'tool_call', callId: 'call-1', tool: 'grep', args: { pattern: 'parse' } },
      { type: 'tool_result', callId: 'call-1', tool: 'grep', ok: true, output: 'parser.ts:12' },
      { type: 'assistant_message', text: 'found it' },
    ]);
    await h.expectCompleteTimeline(app, id);

    // An admin may send messages.
    const text = `fix it please ${Date.now()}`;
    await sendFromComposer(app, text);
    await app.page.locator(`${SEL.row}[data-type=user_message]`, { hasText: text }).waitFor();
    expect(await storedMessages(h, id, text)).toHaveLength(1);
    await h.expectCompleteTimeline(app, id);

    await app.page.reload();
    await expectSignedIn(app, 'admin');
    expect(app.page.url()).toBe(`${h.server.url}/sessions/${id}`);
    const seqs = await h.expectCompleteTimeline(app, id);
    expect(new Set(seqs).size).toBe(seqs.length);

    // The WebSocket is signed in by the same cookie.
    await app.page.goto(`${h.server.url}/sessions/${id}?transport=ws`);
    expect(await app.waitForIndicator(['connected'], { transport: 'ws' })).toBe('ws');
    await h.append(id, [{ type: 'assistant_message', text: 'over the websocket' }]);
    await h.expectCompleteTimeline(app, id);
    expect(await storedMessages(h, id, text)).toHaveLength(1);
    expect(h.pageErrors).toEqual([]);
  });

  test('a wrong pasted token is refused and a right one signs in', async () => {
    const h = await harness(WITH_AUTH);
    const title = `pasted token ${Date.now()}`;
    const id = await h.createSession(title);

    const app = await h.open('/');
    const field = app.page.locator(SIGNIN.token);
    await field.fill('not-the-right-token-at-all');
    await app.page.locator(SIGNIN.submit).click();
    await app.page.locator(SIGNIN.error).filter({ hasText: 'That token was not accepted.' }).waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await app.page.locator(SEL.sessionItem).count()).toBe(0);
    expect(await app.page.content()).not.toContain(title);
    expect((await app.page.context().cookies()).map((c) => c.name)).not.toContain('livetrail_token');

    await field.fill(VIEWER);
    await app.page.locator(SIGNIN.submit).click();
    await expectSignedIn(app, 'viewer');
    await app.page.locator(`${SEL.sessionItem}[data-session-id="${id}"]`).waitFor();
    expect(app.page.url()).not.toContain(VIEWER);
    const cookie = (await app.page.context().cookies()).find((c) => c.name === 'livetrail_token');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(h.pageErrors).toEqual([]);
  });

  test.each([
    ['with access control, from a signed-in browser', true],
    ['with auth off (no LIVETRAIL_TOKENS)', false],
  ] as const)(
    'a page served from another local origin cannot open the websocket or post, %s',
    async (_how, authOn) => {
      const h = await harness(authOn ? WITH_AUTH : {});
      const id = await h.createSession('target of a foreign page');
      await h.append(id, [{ type: 'assistant_message', text: 'waiting for instructions' }]);
      const context = authOn ? await signedInContext(h) : await h.newContext();

      const site = await startForeignSite(() => foreignPageHtml(h.server.port, id));
      try {
        const result = await runForeignPage(h, context, site.url);
        expect.soft(result.ws).not.toContain('open');
        expect.soft(result.ws.some((e) => e.startsWith('message'))).toBe(false);
        expect.soft(result.ws.at(-1)).toMatch(/^close /);
        // The preflight is refused; the no-cors post leaves with its body but gets only an opaque answer.
        expect.soft(result.corsPost).toMatch(/^failed: /);
        expect.soft(result.noCorsPost).toBe('opaque response');
      } finally {
        await site.close();
      }
      expect.soft(await storedMessages(h, id, 'evil')).toEqual([]);
      // The server says why, to a client that can read it.
      const res = await fetch(`${h.server.url}/trpc/sessions.sendMessage`, {
        method: 'POST',
        headers: {
          origin: site.origin,
          'content-type': 'application/json',
          ...(authOn && { authorization: `Bearer ${ADMIN}` }),
        },
        body: JSON.stringify({ sessionId: id, text: 'evil' }),
      });
      expect(res.status).toBe(403);
      expect(await storedMessages(h, id, 'evil')).toEqual([]);
    },
  );

  test('a page from an origin in LIVETRAIL_ALLOWED_ORIGINS can use the websocket with the sign-in cookie', async () => {
    // The control for the test above: the same page, from an allowed origin, does get through.
    let port = 0;
    let sessionId = '';
    const site = await startForeignSite(() => foreignPageHtml(port, sessionId));
    try {
      const h = await harness({
        ...WITH_AUTH,
        env: { ...WITH_AUTH.env, LIVETRAIL_ALLOWED_ORIGINS: site.origin },
      });
      port = h.server.port;
      sessionId = await h.createSession('allowed origin');
      const context = await signedInContext(h);
      const result = await runForeignPage(h, context, site.url);
      expect(result.ws[0]).toBe('open');
      expect(result.ws[1]).toMatch(/^message .*"seq":1/);
      expect(await storedMessages(h, sessionId, 'evil')).toHaveLength(1);
    } finally {
      await site.close();
    }
  });

  test('an agent token in the browser cannot send messages', async () => {
    const h = await harness(WITH_AUTH);
    const id = await h.createSession('agent in the browser');
    await h.append(id, [{ type: 'assistant_message', text: 'what next?' }]);

    const app = await h.open('/');
    await app.page.locator(SIGNIN.token).fill(AGENT);
    await app.page.locator(SIGNIN.submit).click();
    await expectSignedIn(app, 'agent');
    await app.page.goto(`${h.server.url}/sessions/${id}`);
    await expectSignedIn(app, 'agent');
    await h.expectCompleteTimeline(app, id);

    const text = `agent says hi ${Date.now()}`;
    await sendFromComposer(app, text);
    const error = app.page.locator('[data-testid=composer-error]');
    await error.waitFor();
    expect(await error.textContent()).toBe(
      'Not sent: your token may not send messages (viewer or admin role needed)',
    );
    expect(await storedMessages(h, id, text)).toEqual([]);
    // The stream is ordered: once a later event is shown, a stored message would be too.
    const [marker] = await h.append(id, [{ type: 'thought', text: 'still here' }]);
    await app.row(marker!).waitFor();
    expect(await app.page.locator(`${SEL.row}[data-type=user_message]`, { hasText: text }).count()).toBe(0);
    await h.expectCompleteTimeline(app, id);
    expect(h.pageErrors).toEqual([]);
  });
});
