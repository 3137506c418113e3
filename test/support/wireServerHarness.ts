import { type ChangeStream, type ChangeStreamDocument, type Document, MongoClient } from 'mongodb';
import { afterEach, expect } from 'vitest';
import {
  type MongoWireServer,
  type MongoWireServerOptions,
  startMongoWireServer,
} from './mongoWire/createMongoWireServer.ts';

const servers: MongoWireServer[] = [];
/** Clients and streams a test opened itself, closed after it. */
export const clients: MongoClient[] = [];
export const streams: ChangeStream[] = [];

/** Registers (in the calling test file) the cleanup of every server, client and stream opened here. */
export function closeWireServersAfterEach(): void {
  afterEach(async () => {
    for (const s of streams.splice(0)) await s.close().catch(() => {});
    for (const c of clients.splice(0)) await c.close().catch(() => {});
    for (const s of servers.splice(0)) await s.stop();
  });
}

/** A wire test server, stopped after the test. */
export async function startServer(opts: MongoWireServerOptions = {}): Promise<MongoWireServer> {
  const server = await startMongoWireServer(opts);
  servers.push(server);
  return server;
}

/** A connected client that records the names of the commands it starts and how many are in flight. */
export async function connect(server: MongoWireServer) {
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 2000, monitorCommands: true });
  clients.push(client);
  const started: string[] = [];
  const inFlight = new Map<number, string>();
  client.on('commandStarted', (e) => {
    started.push(e.commandName);
    inFlight.set(e.requestId, e.commandName);
  });
  client.on('commandSucceeded', (e) => inFlight.delete(e.requestId));
  client.on('commandFailed', (e) => inFlight.delete(e.requestId));
  await client.connect();
  const count = (name: string) => started.filter((n) => n === name).length;
  const inFlightCount = (name: string) => [...inFlight.values()].filter((n) => n === name).length;
  return { client, count, inFlightCount };
}

/** Opens a change stream and makes sure its aggregate ran, so later writes are seen. */
export async function watching<T extends Document>(stream: ChangeStream<T>): Promise<ChangeStream<T>> {
  streams.push(stream as unknown as ChangeStream);
  expect(await stream.tryNext()).toBeNull();
  return stream;
}

export function fullDoc(e: ChangeStreamDocument): Document | null | undefined {
  return 'fullDocument' in e ? e.fullDocument : undefined;
}
