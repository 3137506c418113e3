import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { defaultConfig, fromEnv } from '../../server/config.ts';
import { createRequestGuard } from '../../server/http/createRequestGuard.ts';

/** A fake request: its headers and a socket with `remoteAddress` (and `encrypted` on TLS). */
function request(headers: IncomingHttpHeaders, socket: { remoteAddress?: string; encrypted?: boolean } = {}) {
  return { headers, socket: { remoteAddress: '10.0.0.9', ...socket } } as unknown as IncomingMessage;
}

describe('createRequestGuard', () => {
  describe('hostAllowed', () => {
    const guard = createRequestGuard(defaultConfig(), 3000);

    it.each(['localhost:3000', '127.0.0.1:3000', '[::1]:3000'])('accepts %s on port 3000', (host) => {
      expect(guard.hostAllowed(host)).toBe(true);
    });

    it.each([
      'localhost:3001',
      'localhost:300',
      'localhost:30000',
      '127.0.0.1:80',
      'localhost',
      '127.0.0.1',
      '[::1]',
    ])('refuses %s, another port or none, on port 3000', (host) => {
      expect(guard.hostAllowed(host)).toBe(false);
    });

    it('refuses other loopback addresses than the three names', () => {
      expect(guard.hostAllowed('127.0.0.2:3000')).toBe(false);
      expect(guard.hostAllowed('::1:3000')).toBe(false);
    });

    it.each(['localhost', '127.0.0.1', '[::1]', 'localhost:80'])('accepts %s on port 80', (host) => {
      expect(createRequestGuard(defaultConfig(), 80).hostAllowed(host)).toBe(true);
    });

    it('refuses bare loopback names on port 81', () => {
      const on81 = createRequestGuard(defaultConfig(), 81);
      expect(on81.hostAllowed('localhost')).toBe(false);
      expect(on81.hostAllowed('localhost:81')).toBe(true);
    });

    it('accepts an allowed host listed with a port on that port only', () => {
      const g = createRequestGuard(defaultConfig({ allowedHosts: ['lt.example:8443'] }), 3000);
      expect(g.hostAllowed('lt.example:8443')).toBe(true);
      expect(g.hostAllowed('lt.example:8444')).toBe(false);
      expect(g.hostAllowed('lt.example:844')).toBe(false);
      expect(g.hostAllowed('lt.example')).toBe(false);
    });

    it('accepts an allowed host listed without a port on any port or none', () => {
      const g = createRequestGuard(defaultConfig({ allowedHosts: ['lt.example'] }), 3000);
      expect(g.hostAllowed('lt.example')).toBe(true);
      expect(g.hostAllowed('lt.example:1')).toBe(true);
      expect(g.hostAllowed('lt.example:65535')).toBe(true);
      expect(g.hostAllowed('lt.example:')).toBe(false);
      expect(g.hostAllowed('lt.example:http')).toBe(false);
      expect(g.hostAllowed('sub.lt.example')).toBe(false);
      expect(g.hostAllowed('lt.example.evil.example')).toBe(false);
      expect(g.hostAllowed('evil-lt.example')).toBe(false);
    });

    it('keeps accepting the loopback names next to allowed hosts', () => {
      const g = createRequestGuard(defaultConfig({ allowedHosts: ['lt.example'] }), 3000);
      expect(g.hostAllowed('localhost:3000')).toBe(true);
    });

    it('compares hosts case-insensitively', () => {
      const g = createRequestGuard(
        fromEnv({ LIVETRAIL_ALLOWED_HOSTS: 'LT.Example,Other.Example:8443' }),
        3000,
      );
      expect(g.hostAllowed('lt.example')).toBe(true);
      expect(g.hostAllowed('LT.EXAMPLE:9')).toBe(true);
      expect(g.hostAllowed('OTHER.example:8443')).toBe(true);
      expect(g.hostAllowed('LOCALHOST:3000')).toBe(true);
    });

    it('refuses a missing or empty Host', () => {
      expect(guard.hostAllowed(undefined)).toBe(false);
      expect(guard.hostAllowed('')).toBe(false);
    });

    it('refuses a DNS-rebinding Host on the right port', () => {
      expect(guard.hostAllowed('evil.example:3000')).toBe(false);
      expect(guard.hostAllowed('localhost.evil.example:3000')).toBe(false);
    });

    it('accepts a bracketed IPv6 allowed host with and without a port', () => {
      const g = createRequestGuard(defaultConfig({ allowedHosts: ['[2001:db8::1]'] }), 3000);
      expect(g.hostAllowed('[2001:db8::1]')).toBe(true);
      expect(g.hostAllowed('[2001:db8::1]:443')).toBe(true);
      expect(g.hostAllowed('[2001:db8::2]:443')).toBe(false);
    });
  });

  describe('originAllowed', () => {
    const guard = createRequestGuard(defaultConfig({ allowedOrigins: ['https://app.example'] }), 3000);

    it('allows a request without an Origin, whatever its Host', () => {
      expect(guard.originAllowed(undefined, 'localhost:3000')).toBe(true);
      expect(guard.originAllowed(undefined, undefined)).toBe(true);
    });

    it.each([
      ['http://localhost:3000', 'localhost:3000'],
      ['http://127.0.0.1:3000', '127.0.0.1:3000'],
      ['http://[::1]:3000', '[::1]:3000'],
      ['https://lt.example', 'lt.example'],
      ['http://lt.example', 'lt.example'],
      ['https://lt.example:443', 'lt.example'],
      ['http://lt.example:80', 'lt.example'],
      ['https://lt.example:8443', 'lt.example:8443'],
      ['http://lt.example:8443', 'LT.Example:8443'],
    ])('allows the same-host origin %s with Host %s', (origin, host) => {
      expect(guard.originAllowed(origin, host)).toBe(true);
    });

    it('allows a listed origin on another host', () => {
      expect(guard.originAllowed('https://app.example', 'api.example')).toBe(true);
      expect(guard.originAllowed('https://app.example', undefined)).toBe(true);
    });

    it('refuses a listed origin on another scheme or port', () => {
      expect(guard.originAllowed('http://app.example', 'api.example')).toBe(false);
      expect(guard.originAllowed('https://app.example:8443', 'api.example')).toBe(false);
    });

    it('refuses another port on localhost', () => {
      expect(guard.originAllowed('http://localhost:3001', 'localhost:3000')).toBe(false);
      expect(guard.originAllowed('http://localhost', 'localhost:3000')).toBe(false);
    });

    it('refuses an unlisted origin on another host', () => {
      expect(guard.originAllowed('https://evil.example', 'localhost:3000')).toBe(false);
      expect(guard.originAllowed('https://lt.example.evil.example', 'lt.example')).toBe(false);
    });

    it('refuses an origin when the Host is missing', () => {
      expect(guard.originAllowed('http://localhost:3000', undefined)).toBe(false);
    });

    it('refuses the opaque origin null', () => {
      expect(guard.originAllowed('null', 'localhost:3000')).toBe(false);
      expect(guard.originAllowed('null', 'null')).toBe(false);
    });

    it('refuses garbage', () => {
      expect(guard.originAllowed('not an origin', 'localhost:3000')).toBe(false);
      expect(guard.originAllowed('', 'localhost:3000')).toBe(false);
      expect(guard.originAllowed('localhost:3000', 'localhost:3000')).toBe(false);
    });
  });

  describe('clientIp', () => {
    const hops = (n: number) => createRequestGuard(defaultConfig({ trustProxyHops: n }), 3000);

    it('uses the socket address and ignores X-Forwarded-For with no trusted proxy', () => {
      expect(hops(0).clientIp(request({ 'x-forwarded-for': '203.0.113.7' }))).toBe('10.0.0.9');
    });

    it('takes the last entry with one trusted proxy', () => {
      const req = request({ 'x-forwarded-for': '198.51.100.1, 203.0.113.7' });
      expect(hops(1).clientIp(req)).toBe('203.0.113.7');
    });

    it('takes the second-last entry with two trusted proxies', () => {
      const req = request({ 'x-forwarded-for': '198.51.100.1,203.0.113.7 , 10.0.0.2' });
      expect(hops(2).clientIp(req)).toBe('203.0.113.7');
    });

    it('takes the leftmost entry when the chain is exactly as long as the trusted hops', () => {
      expect(hops(2).clientIp(request({ 'x-forwarded-for': '203.0.113.7, 10.0.0.2' }))).toBe('203.0.113.7');
    });

    it('takes the leftmost entry when the chain is one shorter than the trusted hops', () => {
      expect(hops(2).clientIp(request({ 'x-forwarded-for': '10.0.0.2' }))).toBe('10.0.0.2');
    });

    it('falls back to the socket address without X-Forwarded-For or with only blanks', () => {
      expect(hops(1).clientIp(request({}))).toBe('10.0.0.9');
      expect(hops(1).clientIp(request({ 'x-forwarded-for': ' , ,' }))).toBe('10.0.0.9');
    });

    it('joins repeated X-Forwarded-For headers in order', () => {
      const req = request({
        'x-forwarded-for': ['198.51.100.1', '203.0.113.7, 10.0.0.2'] as unknown as string,
      });
      expect(hops(2).clientIp(req)).toBe('203.0.113.7');
    });

    it('says unknown when the socket has no address', () => {
      expect(hops(0).clientIp(request({}, { remoteAddress: undefined }))).toBe('unknown');
    });
  });

  describe('isSecure', () => {
    const hops = (n: number) => createRequestGuard(defaultConfig({ trustProxyHops: n }), 3000);

    it('ignores X-Forwarded-Proto with no trusted proxy', () => {
      expect(hops(0).isSecure(request({ 'x-forwarded-proto': 'https' }))).toBe(false);
    });

    it('believes X-Forwarded-Proto from a trusted proxy', () => {
      expect(hops(1).isSecure(request({ 'x-forwarded-proto': 'https' }))).toBe(true);
      expect(hops(1).isSecure(request({ 'x-forwarded-proto': ' https , http' }))).toBe(true);
      expect(hops(1).isSecure(request({ 'x-forwarded-proto': 'http' }))).toBe(false);
      expect(hops(1).isSecure(request({ 'x-forwarded-proto': 'http, https' }))).toBe(false);
      expect(hops(1).isSecure(request({}))).toBe(false);
    });

    it('is secure on a TLS socket whatever the headers say', () => {
      expect(hops(0).isSecure(request({ 'x-forwarded-proto': 'http' }, { encrypted: true }))).toBe(true);
    });
  });
});
