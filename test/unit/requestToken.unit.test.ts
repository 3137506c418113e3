import { describe, expect, it } from 'vitest';
import { readCookie, requestToken, TOKEN_COOKIE } from '../../server/auth/requestToken.ts';

const TOKEN = 'agent-token-0123456789';

describe('requestToken', () => {
  it.each([
    ['Bearer', `Bearer ${TOKEN}`],
    ['lowercase', `bearer ${TOKEN}`],
    ['uppercase', `BEARER ${TOKEN}`],
    ['mixed case', `bEaReR ${TOKEN}`],
    ['several spaces', `Bearer    ${TOKEN}`],
    ['a tab', `Bearer\t${TOKEN}`],
    ['trailing spaces', `Bearer ${TOKEN}  \t`],
  ])('reads a Bearer token (%s)', (_what, authorization) => {
    expect(requestToken({ authorization })).toBe(TOKEN);
  });

  it('keeps = and other token characters as they are', () => {
    expect(requestToken({ authorization: 'Bearer abc+/=~._-def==' })).toBe('abc+/=~._-def==');
  });

  it.each([
    ['an empty header', ''],
    ['the scheme alone', 'Bearer'],
    ['the scheme and a space', 'Bearer '],
    ['no space after the scheme', `Bearer${TOKEN}`],
    ['another scheme', 'Basic dXNlcjpwYXNzd29yZA=='],
    ['a bare token', TOKEN],
    ['two words after the scheme', `Bearer ${TOKEN} extra`],
    ['a leading space', ` Bearer ${TOKEN}`],
    ['a comma-joined second credential', `Bearer ${TOKEN}, Bearer other`],
  ])('reads a malformed Authorization (%s) as the empty token, not as none', (_what, authorization) => {
    expect(requestToken({ authorization })).toBe('');
  });

  it('prefers the Authorization header to the cookie', () => {
    expect(requestToken({ authorization: `Bearer ${TOKEN}`, cookie: `${TOKEN_COOKIE}=cookie-token` })).toBe(
      TOKEN,
    );
  });

  it('does not fall back to the cookie when the Authorization header is malformed', () => {
    expect(requestToken({ authorization: 'Basic x', cookie: `${TOKEN_COOKIE}=${TOKEN}` })).toBe('');
  });

  it('reads the sign-in cookie among others', () => {
    expect(requestToken({ cookie: `theme=dark; ${TOKEN_COOKIE}=${TOKEN}; lang=en` })).toBe(TOKEN);
    expect(requestToken({ cookie: `${TOKEN_COOKIE}=${TOKEN};theme=dark` })).toBe(TOKEN);
    expect(requestToken({ cookie: `theme=dark;${TOKEN_COOKIE}=${TOKEN}` })).toBe(TOKEN);
    expect(requestToken({ cookie: `${TOKEN_COOKIE}=${TOKEN}` })).toBe(TOKEN);
  });

  it('keeps = inside a cookie value', () => {
    expect(requestToken({ cookie: `${TOKEN_COOKIE}=abc==` })).toBe('abc==');
  });

  it('ignores cookies whose name only contains the sign-in cookie name', () => {
    expect(
      requestToken({ cookie: `x${TOKEN_COOKIE}=a; ${TOKEN_COOKIE}_old=b; ${TOKEN_COOKIE}x=c` }),
    ).toBeUndefined();
  });

  it('has no token without an Authorization header or the cookie', () => {
    expect(requestToken({})).toBeUndefined();
    expect(requestToken({ cookie: 'theme=dark' })).toBeUndefined();
  });

  it('never reads a token from the URL', () => {
    expect(
      requestToken({
        host: 'lt.example',
        referer: `https://lt.example/?token=${TOKEN}`,
        'x-original-url': `/trpc/sessions.list?token=${TOKEN}`,
      }),
    ).toBeUndefined();
  });
});

describe('readCookie', () => {
  it('finds a cookie by exact name, trimming around it', () => {
    expect(readCookie(' a = 1 ;  b=2', 'a')).toBe('1');
    expect(readCookie('a=1; b=2', 'b')).toBe('2');
  });

  it('takes the first of repeated cookies', () => {
    expect(readCookie('a=1; a=2', 'a')).toBe('1');
  });

  it('reads an empty value as empty', () => {
    expect(readCookie('a=; b=2', 'a')).toBe('');
  });

  it('has nothing for a missing header, a missing name or a nameless pair', () => {
    expect(readCookie(undefined, 'a')).toBeUndefined();
    expect(readCookie('', 'a')).toBeUndefined();
    expect(readCookie('b=2', 'a')).toBeUndefined();
    expect(readCookie('=a; a', 'a')).toBeUndefined();
  });
});
