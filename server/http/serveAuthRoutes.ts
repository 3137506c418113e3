import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../auth/createAuthenticator.ts';
import { requestToken, TOKEN_COOKIE } from '../auth/requestToken.ts';
import type { RateLimiter } from '../domain/createRateLimiter.ts';
import type { RequestGuard } from './createRequestGuard.ts';
import { readBody } from './readBody.ts';
import { sendError, sendJson, sendMethodNotAllowed } from './sendJson.ts';

/** A sign-in cookie lasts this long. */
const COOKIE_MAX_AGE_S = 30 * 24 * 3600;
/** The largest sign-in body we read. */
const SIGNIN_BODY_BYTES = 4096;

/** What the sign-in handlers need. */
export interface AuthRoutesDeps {
  auth: Authenticator;
  guard: RequestGuard;
  /** Sign-in attempts per client IP. */
  signinLimiter: RateLimiter;
}

function cookie(req: IncomingMessage, guard: RequestGuard, value: string, maxAgeS: number): string {
  const secure = guard.isSecure(req) ? '; Secure' : '';
  return `${TOKEN_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`;
}

function wrongMethod(res: ServerResponse, method: string): true {
  sendMethodNotAllowed(res, method);
  return true;
}

/**
 * `GET /?token=…` (the sign-in URL the server prints): a valid token becomes an HttpOnly,
 * SameSite=Strict cookie and the browser is sent to the same page without the token in its address;
 * an invalid one is sent there with `?signin=failed`. True when it handled the request.
 */
export function serveSignInUrl(
  deps: AuthRoutesDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): boolean {
  if (!url.searchParams.has('token')) return false;
  const token = url.searchParams.get('token') ?? '';
  url.searchParams.delete('token');
  const ok = deps.auth.enabled && deps.auth.authenticate(token) !== undefined;
  if (!ok) url.searchParams.set('signin', 'failed');
  const location = `${url.pathname}${url.search}`;
  res.writeHead(303, {
    location: deps.auth.enabled ? location : `${url.pathname}`,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    ...(ok && { 'set-cookie': cookie(req, deps.guard, token, COOKIE_MAX_AGE_S) }),
  });
  res.end();
  return true;
}

/**
 * `/api/auth` (is auth on, and what role does this request's token have), `/api/signin` (a pasted
 * token becomes the cookie) and `/api/signout`. True when it handled the request.
 */
export async function serveAuthApi(
  deps: AuthRoutesDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  clientIp: string,
): Promise<boolean> {
  if (path === '/api/auth') {
    if (req.method !== 'GET') return wrongMethod(res, 'GET');
    const who = deps.auth.authenticate(requestToken(req.headers));
    sendJson(res, 200, { auth: deps.auth.enabled ? 'on' : 'off', role: who?.role ?? null });
    return true;
  }
  if (path === '/api/signout') {
    if (req.method !== 'POST') return wrongMethod(res, 'POST');
    res.writeHead(204, { 'set-cookie': cookie(req, deps.guard, '', 0), 'cache-control': 'no-store' }).end();
    return true;
  }
  if (path !== '/api/signin') return false;
  if (req.method !== 'POST') return wrongMethod(res, 'POST');
  const limited = deps.signinLimiter.take(clientIp, 1);
  if (!limited.ok) {
    res.setHeader('retry-after', String(Math.ceil(limited.retryAfterMs / 1000)));
    sendError(res, 429, 'RATE_LIMITED', 'too many sign-in attempts; wait a little');
    return true;
  }
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
    sendError(res, 400, 'BAD_REQUEST', 'send {"token":"…"} as application/json');
    return true;
  }
  const body = await readBody(req, SIGNIN_BODY_BYTES);
  if (body === undefined) {
    // The unread rest of the body would otherwise be parsed as the next request.
    res.setHeader('connection', 'close');
    sendError(res, 413, 'PAYLOAD_TOO_LARGE', `body: at most ${SIGNIN_BODY_BYTES} bytes`);
    return true;
  }
  let token: unknown;
  try {
    token = (JSON.parse(body) as { token?: unknown } | null)?.token;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '') {
    sendError(res, 400, 'BAD_REQUEST', 'token: expected a non-empty string');
    return true;
  }
  if (!deps.auth.enabled) {
    res.writeHead(204, { 'cache-control': 'no-store' }).end();
    return true;
  }
  if (!deps.auth.authenticate(token)) {
    sendError(res, 401, 'UNAUTHORIZED', 'token: not accepted');
    return true;
  }
  res.writeHead(204, {
    'set-cookie': cookie(req, deps.guard, token, COOKIE_MAX_AGE_S),
    'cache-control': 'no-store',
  });
  res.end();
  return true;
}
