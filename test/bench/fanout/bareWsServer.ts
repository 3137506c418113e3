import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { readBody } from './readBody.ts';

/** An unmasked, final text frame around `payload`: what the server writes, built once per publish. */
function textFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const header =
    n < 126
      ? Buffer.from([0x81, n])
      : n < 65_536
        ? Buffer.from([0x81, 126, n >> 8, n & 0xff])
        : Buffer.concat([Buffer.from([0x81, 127]), Buffer.alloc(8)]);
  if (n >= 65_536) header.writeUIntBE(n, 4, 6);
  return Buffer.concat([header, payload]);
}

/** The socket under a `ws` WebSocket (private in its types; the stalled-reader bench reaches it too). */
const socketOf = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket;

/**
 * The WebSocket floor: a `ws` server on a plain `http` server. Clients connect to `/?channel=c` (or
 * `/`); POST /publish[?channel=c] with a JSON body builds the WebSocket frame once and writes that
 * same Buffer to every open socket (of the channel, or all of them), past `ws`'s per-send framing.
 * The server sends nothing else, so writing to the socket directly cannot interleave with `ws`.
 */
export function createBareWsServer(): Server {
  const channels = new Map<string, Set<WebSocket>>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://floor');
    const channel = url.searchParams.get('channel');
    if (req.method !== 'POST' || url.pathname !== '/publish') return void res.writeHead(404).end();
    readBody(req)
      .then((body) => {
        const frame = textFrame(Buffer.from(JSON.stringify(JSON.parse(body))));
        for (const ws of channel === null ? wss.clients : (channels.get(channel) ?? [])) {
          if (ws.readyState === WebSocket.OPEN) socketOf(ws).write(frame);
        }
        res.writeHead(204).end();
      })
      .catch(() => res.writeHead(400).end());
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    const channel = new URL(req.url ?? '/', 'http://floor').searchParams.get('channel');
    if (channel === null) return;
    const set = channels.get(channel) ?? new Set();
    channels.set(channel, set.add(ws));
    ws.on('close', () => {
      set.delete(ws);
      if (set.size === 0 && channels.get(channel) === set) channels.delete(channel);
    });
  });
  return server;
}
