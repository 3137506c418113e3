import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';

/**
 * EventSource and WebSocket for Node 20, which has neither: spread into `createLivetrailClient`
 * options. Import this only from Node code (it pulls in `eventsource` and `ws`).
 */
export const nodeTransports = { EventSource, WebSocket } as const;
