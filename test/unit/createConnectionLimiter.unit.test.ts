import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConnectionLimiter, refuseSocket } from '../../server/http/createConnectionLimiter.ts';

/** A socket that records what is written to it and whether it was destroyed. */
class FakeSocket extends EventEmitter {
  end = vi.fn();
  destroy = vi.fn();
  asSocket(): Socket {
    return this as unknown as Socket;
  }
}

/** The raw HTTP response a refused socket was sent, split into status line, headers and body. */
function response(socket: FakeSocket) {
  expect(socket.end).toHaveBeenCalledOnce();
  const raw = String(socket.end.mock.calls[0]?.[0]);
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [status, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  return { status, headers, body };
}

describe('createConnectionLimiter', () => {
  describe('enter', () => {
    it('gives an IP exactly maxPerIp slots and refuses one more', () => {
      const limiter = createConnectionLimiter({ maxConnections: 100, maxPerIp: 3 });
      for (let i = 0; i < 3; i++) expect(limiter.enter('192.0.2.1')).toBeTypeOf('function');
      expect(limiter.enter('192.0.2.1')).toBeUndefined();
      expect(limiter.stats()).toEqual({ sockets: 0, ips: 1 });
    });

    it('frees exactly one slot per release', () => {
      const limiter = createConnectionLimiter({ maxConnections: 100, maxPerIp: 3 });
      const releases = [limiter.enter('ip'), limiter.enter('ip'), limiter.enter('ip')];
      releases[0]?.();
      expect(limiter.enter('ip')).toBeTypeOf('function');
      expect(limiter.enter('ip')).toBeUndefined();
    });

    it('ignores a second release of the same slot', () => {
      const limiter = createConnectionLimiter({ maxConnections: 100, maxPerIp: 2 });
      const first = limiter.enter('ip')!;
      limiter.enter('ip');
      first();
      first();
      expect(limiter.enter('ip')).toBeTypeOf('function');
      expect(limiter.enter('ip')).toBeUndefined();
    });

    it('forgets an IP once all its slots are released, and a late double release does not go negative', () => {
      const limiter = createConnectionLimiter({ maxConnections: 100, maxPerIp: 1 });
      const release = limiter.enter('ip')!;
      release();
      expect(limiter.stats().ips).toBe(0);
      release();
      expect(limiter.stats().ips).toBe(0);
      expect(limiter.enter('ip')).toBeTypeOf('function');
      expect(limiter.enter('ip')).toBeUndefined();
    });

    it('counts each IP separately', () => {
      const limiter = createConnectionLimiter({ maxConnections: 100, maxPerIp: 1 });
      expect(limiter.enter('192.0.2.1')).toBeTypeOf('function');
      expect(limiter.enter('192.0.2.1')).toBeUndefined();
      const other = limiter.enter('192.0.2.2');
      expect(other).toBeTypeOf('function');
      expect(limiter.stats().ips).toBe(2);
      other?.();
      expect(limiter.enter('192.0.2.1')).toBeUndefined();
    });
  });

  describe('admitSocket', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('admits exactly maxConnections sockets and leaves them alone', () => {
      const limiter = createConnectionLimiter({ maxConnections: 2, maxPerIp: 10 });
      const sockets = [new FakeSocket(), new FakeSocket()];
      for (const s of sockets) expect(limiter.admitSocket(s.asSocket())).toBe(true);
      expect(limiter.stats().sockets).toBe(2);
      for (const s of sockets) {
        expect(s.end).not.toHaveBeenCalled();
        expect(s.destroy).not.toHaveBeenCalled();
      }
    });

    it('answers one socket past the cap with a 503 and closes it', () => {
      const limiter = createConnectionLimiter({ maxConnections: 2, maxPerIp: 10 });
      limiter.admitSocket(new FakeSocket().asSocket());
      limiter.admitSocket(new FakeSocket().asSocket());
      const late = new FakeSocket();
      expect(limiter.admitSocket(late.asSocket())).toBe(false);
      const { status, headers, body } = response(late);
      expect(status).toBe('HTTP/1.1 503 Service Unavailable');
      expect(headers).toMatchObject({
        'content-type': 'application/json',
        'retry-after': '5',
        connection: 'close',
        'content-length': String(Buffer.byteLength(body)),
      });
      expect(JSON.parse(body)).toEqual({
        error: { code: 'UNAVAILABLE', message: 'too many connections; try again later' },
      });
      expect(limiter.stats().sockets).toBe(2);
    });

    it('destroys a refused socket that has not closed after 2 s', () => {
      const limiter = createConnectionLimiter({ maxConnections: 1, maxPerIp: 10 });
      limiter.admitSocket(new FakeSocket().asSocket());
      const late = new FakeSocket();
      limiter.admitSocket(late.asSocket());
      vi.advanceTimersByTime(1999);
      expect(late.destroy).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(late.destroy).toHaveBeenCalledOnce();
    });

    it('admits a new socket once an admitted one closes', () => {
      const limiter = createConnectionLimiter({ maxConnections: 1, maxPerIp: 10 });
      const first = new FakeSocket();
      limiter.admitSocket(first.asSocket());
      expect(limiter.admitSocket(new FakeSocket().asSocket())).toBe(false);
      first.emit('close');
      expect(limiter.stats().sockets).toBe(0);
      expect(limiter.admitSocket(new FakeSocket().asSocket())).toBe(true);
    });

    it('does not count the close of a refused socket as a free slot', () => {
      const limiter = createConnectionLimiter({ maxConnections: 1, maxPerIp: 10 });
      limiter.admitSocket(new FakeSocket().asSocket());
      const late = new FakeSocket();
      limiter.admitSocket(late.asSocket());
      late.emit('close');
      expect(limiter.stats().sockets).toBe(1);
      expect(limiter.admitSocket(new FakeSocket().asSocket())).toBe(false);
    });

    it('frees one slot per socket even if close fires twice', () => {
      const limiter = createConnectionLimiter({ maxConnections: 2, maxPerIp: 10 });
      const a = new FakeSocket();
      limiter.admitSocket(a.asSocket());
      limiter.admitSocket(new FakeSocket().asSocket());
      a.emit('close');
      a.emit('close');
      expect(limiter.stats().sockets).toBe(1);
    });
  });
});

describe('refuseSocket', () => {
  it('writes the given status and body with a matching Content-Length', () => {
    vi.useFakeTimers();
    try {
      const s = new FakeSocket();
      refuseSocket(s.asSocket(), '429 Too Many Requests', '{"é":1}');
      const { status, headers, body } = response(s);
      expect(status).toBe('HTTP/1.1 429 Too Many Requests');
      expect(body).toBe('{"é":1}');
      expect(headers['content-length']).toBe('8');
    } finally {
      vi.useRealTimers();
    }
  });
});
