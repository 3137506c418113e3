import type { Document } from 'bson';
import { type MongoClient, MongoServerError } from 'mongodb';
import { EntityMap } from './entityMap.ts';
import type { CollectionData, ExpectedEvents, SpecFile, SpecTest } from './loadSpecFile.ts';
import { type EntityLookup, matchValue } from './matchValue.ts';
import { type RunnerContext, runOperation } from './runOperation.ts';

const MAJORITY = { writeConcern: { w: 'majority' as const } };

async function loadInitialData(client: MongoClient, data: CollectionData[]): Promise<void> {
  for (const { databaseName, collectionName, documents, createOptions } of data) {
    const db = client.db(databaseName);
    await db.dropCollection(collectionName, MAJORITY).catch((err: unknown) => {
      if (!(err instanceof MongoServerError && err.code === 26)) throw err;
    });
    await db.createCollection(collectionName, { ...MAJORITY, ...createOptions });
    if (documents.length > 0) await db.collection(collectionName).insertMany(documents, MAJORITY);
  }
}

function describeEvents(events: { type: string; event: { commandName: string } }[]): string {
  return events
    .map((e) => `${e.type.replace('command', '').replace('Event', '')}:${e.event.commandName}`)
    .join(', ');
}

function checkEvents(expected: ExpectedEvents, entities: EntityMap): void {
  if ((expected.eventType ?? 'command') !== 'command')
    throw new Error(`unsupported eventType ${expected.eventType}`);
  const actual = entities.events(expected.client);
  const lengthOk = expected.ignoreExtraEvents
    ? actual.length >= expected.events.length
    : actual.length === expected.events.length;
  if (!lengthOk)
    throw new Error(
      `expected ${expected.events.length} events for ${expected.client}, got [${describeEvents(actual)}]`,
    );
  expected.events.forEach((e, i) => {
    const [type, spec] = Object.entries(e)[0] as [string, Document];
    const a = actual[i]!;
    const where = `event ${i} of [${describeEvents(actual)}]`;
    if (a.type !== type) throw new Error(`${where}: expected ${type}`);
    if (spec.commandName !== undefined && a.event.commandName !== spec.commandName)
      throw new Error(`${where}: expected commandName ${spec.commandName}`);
    const ev = a.event as unknown as Document;
    if (spec.databaseName !== undefined && ev.databaseName !== spec.databaseName)
      throw new Error(`${where}: expected databaseName ${spec.databaseName}, got ${ev.databaseName}`);
    if (spec.command !== undefined) matchValue(spec.command, ev.command, entities, `${where}.command`);
    if (spec.reply !== undefined) matchValue(spec.reply, ev.reply, entities, `${where}.reply`);
  });
}

async function checkOutcome(client: MongoClient, data: CollectionData, lookup: EntityLookup): Promise<void> {
  const docs = await client
    .db(data.databaseName)
    .collection(data.collectionName)
    .find({}, { sort: { _id: 1 }, readConcern: { level: 'local' } })
    .toArray();
  matchValue(data.documents, docs, lookup, `outcome ${data.databaseName}.${data.collectionName}`, false);
}

/**
 * Runs one unified-format test: initial data through the runner's client, entities, operations,
 * expected events and outcome; fail points set by the test are turned off and entities closed after.
 */
export async function runUnifiedTest(
  file: SpecFile,
  test: SpecTest,
  uri: string,
  internalClient: MongoClient,
) {
  await internalClient
    .db('admin')
    .command({ killAllSessions: [] })
    .catch(() => {});
  await loadInitialData(internalClient, file.initialData ?? []);
  const entities = new EntityMap(uri);
  const ctx: RunnerContext = { entities, internalClient, failPoints: new Set() };
  try {
    await entities.create(file.createEntities ?? []);
    for (const op of test.operations) await runOperation(op, ctx);
    for (const expected of test.expectEvents ?? []) checkEvents(expected, entities);
    for (const data of test.outcome ?? []) await checkOutcome(internalClient, data, entities);
  } finally {
    for (const name of ctx.failPoints)
      await internalClient
        .db('admin')
        .command({ configureFailPoint: name, mode: 'off' })
        .catch(() => {});
    await entities.close();
  }
}
