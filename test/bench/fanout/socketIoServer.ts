import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { readBody } from './readBody.ts';

/**
 * Socket.IO 4 on a plain `http` server, WebSocket transport only. A client's `channel` query joins it
 * to that room; POST /publish with a JSON body does `io.emit('event', payload)` — or, with
 * `?channel=c`, `io.to(c).emit(…)` — so Socket.IO encodes the packet once for all sockets.
 */
export function createSocketIoServer(): HttpServer {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://floor');
    // engine.io takes /socket.io/ requests before this handler sees them.
    const channel = url.searchParams.get('channel');
    if (req.method !== 'POST' || url.pathname !== '/publish') return void res.writeHead(404).end();
    readBody(req)
      .then((body) => {
        const payload: unknown = JSON.parse(body);
        if (channel === null) io.emit('event', payload);
        else io.to(channel).emit('event', payload);
        res.writeHead(204).end();
      })
      .catch(() => res.writeHead(400).end());
  });
  const io = new Server(server, { transports: ['websocket'], serveClient: false });
  io.on('connection', (socket) => {
    const channel = socket.handshake.query.channel;
    if (typeof channel === 'string') void socket.join(channel);
  });
  return server;
}
