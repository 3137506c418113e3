import type { Document } from 'bson';
import {
  ChangeStream,
  type ClientSession,
  type CommandFailedEvent,
  type CommandStartedEvent,
  type CommandSucceededEvent,
  type Db,
  MongoClient,
  type MongoClientOptions,
} from 'mongodb';
import type { EntityLookup } from './matchValue.ts';

/** A command monitoring event as the unified format names it. */
export interface ObservedEvent {
  type: 'commandStartedEvent' | 'commandSucceededEvent' | 'commandFailedEvent';
  event: CommandStartedEvent | CommandSucceededEvent | CommandFailedEvent;
}

interface ClientEntity {
  client: MongoClient;
  events: ObservedEvent[];
}

// The runner's own commands and security-sensitive ones are never observed.
const NEVER_OBSERVED = new Set([
  'configureFailPoint',
  'authenticate',
  'saslStart',
  'saslContinue',
  'getnonce',
]);

const EVENT_NAMES = {
  commandStartedEvent: 'commandStarted',
  commandSucceededEvent: 'commandSucceeded',
  commandFailedEvent: 'commandFailed',
} as const;

/** The entities of one test: clients (with their observed events), databases, collections, sessions, results. */
export class EntityMap implements EntityLookup {
  private readonly entities = new Map<string, unknown>();
  private readonly clients = new Map<string, ClientEntity>();

  constructor(private readonly uri: string) {}

  get(id: string): unknown {
    if (!this.entities.has(id)) throw new Error(`no entity ${id}`);
    return this.entities.get(id);
  }

  set(id: string, value: unknown): void {
    if (this.entities.has(id)) throw new Error(`entity ${id} already exists`);
    this.entities.set(id, value);
  }

  client(id: string): MongoClient {
    const c = this.clients.get(id);
    if (!c) throw new Error(`no client entity ${id}`);
    return c.client;
  }

  events(id: string): ObservedEvent[] {
    const c = this.clients.get(id);
    if (!c) throw new Error(`no client entity ${id}`);
    return c.events;
  }

  sessionLsid(id: string): unknown {
    return (this.get(id) as ClientSession).id;
  }

  /** Creates the entities of a `createEntities` list, in order. */
  async create(specs: Document[]): Promise<void> {
    for (const spec of specs) {
      const [kind, def] = Object.entries(spec)[0] as [string, Document];
      if (kind === 'client') await this.createClient(def);
      else if (kind === 'database') {
        this.set(def.id, this.client(def.client).db(def.databaseName, def.databaseOptions));
      } else if (kind === 'collection') {
        const db = this.get(def.database) as Db;
        this.set(def.id, db.collection(def.collectionName, def.collectionOptions));
      } else if (kind === 'session') {
        this.set(def.id, this.client(def.client).startSession(def.sessionOptions));
      } else throw new Error(`unsupported entity kind ${kind}`);
    }
  }

  private async createClient(def: Document): Promise<void> {
    const options = {
      monitorCommands: true,
      serverSelectionTimeoutMS: 5000,
      // Rediscover a primary quickly after state-change errors (an internal driver option).
      minHeartbeatFrequencyMS: 50,
      ...(def.uriOptions ?? {}),
    } as MongoClientOptions;
    const client = new MongoClient(this.uri, options);
    const events: ObservedEvent[] = [];
    const ignored = new Set<string>([
      ...NEVER_OBSERVED,
      ...((def.ignoreCommandMonitoringEvents as string[]) ?? []),
    ]);
    for (const type of (def.observeEvents as string[] | undefined) ?? []) {
      const name = EVENT_NAMES[type as keyof typeof EVENT_NAMES];
      if (!name) continue;
      client.on(name, (event: ObservedEvent['event']) => {
        if (!ignored.has(event.commandName)) events.push({ type: type as ObservedEvent['type'], event });
      });
    }
    await client.connect();
    this.clients.set(def.id, { client, events });
    this.set(def.id, client);
  }

  /** Ends sessions, closes change streams and clients. */
  async close(): Promise<void> {
    for (const value of this.entities.values()) {
      const v = value as { endSession?: () => Promise<void>; close?: () => Promise<void> };
      if (value instanceof MongoClient) continue;
      if (typeof v.endSession === 'function') await v.endSession().catch(() => {});
      else if (value instanceof ChangeStream) await value.close().catch(() => {});
    }
    for (const { client } of this.clients.values()) await client.close().catch(() => {});
  }
}
