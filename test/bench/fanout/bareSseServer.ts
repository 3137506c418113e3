import { createServer, type Server, type ServerResponse } from 'node:http';
import { readBody } from './readBody.ts';

/**
 * The SSE floor: plain `http`, no framework. GET /sse[?channel=c] holds a `text/event-stream`
 * response; POST /publish[?channel=c] with a JSON body encodes `data: <json>\n\n` once into a Buffer
 * and writes that same Buffer to every open response (of the channel, or all of them without one).
 */
export function createBareSseServer(): Server {
  const all = new Set<ServerResponse>();
  const channels = new Map<string, Set<ServerResponse>>();
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://floor');
    const channel = url.searchParams.get('channel');
    if (req.method === 'GET' && url.pathname === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': open\n\n');
      const set = channel === null ? undefined : (channels.get(channel) ?? new Set());
      if (set && channel !== null) channels.set(channel, set.add(res));
      all.add(res);
      res.on('close', () => {
        all.delete(res);
        set?.delete(res);
        if (set?.size === 0 && channel !== null && channels.get(channel) === set) channels.delete(channel);
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/publish') {
      readBody(req)
        .then((body) => {
          const frame = Buffer.from(`data: ${JSON.stringify(JSON.parse(body))}\n\n`);
          for (const r of channel === null ? all : (channels.get(channel) ?? [])) r.write(frame);
          res.writeHead(204).end();
        })
        .catch(() => res.writeHead(400).end());
      return;
    }
    res.writeHead(404).end();
  });
}
