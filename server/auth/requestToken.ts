import type { IncomingHttpHeaders } from 'node:http';

/** The cookie that carries a browser's token (HttpOnly, SameSite=Strict). */
export const TOKEN_COOKIE = 'livetrail_token';

/** The value of cookie `name` in a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Where a request's token comes from: `Authorization: Bearer <token>` (services, curl) or else the
 * sign-in cookie (browsers). A token in a query string is never read here — only the sign-in URL
 * accepts one, and it turns it into the cookie at once.
 */
export function requestToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
    // A malformed Authorization header is a wrong token, not an absent one.
    return m ? m[1] : '';
  }
  return readCookie(headers.cookie, TOKEN_COOKIE);
}
