import { type Document, EJSON } from 'bson';
import { ChangeStream, Collection, Db, MongoClient, MongoServerError } from 'mongodb';
import {
  CHANGE_STREAM_OPERATIONS,
  CLIENT_OPERATIONS,
  COLLECTION_OPERATIONS,
  DATABASE_OPERATIONS,
} from './crudOperations.ts';
import type { EntityMap } from './entityMap.ts';
import type { SpecOperation } from './loadSpecFile.ts';
import { matchValue } from './matchValue.ts';

/** What operations need beyond the entities: the runner's own client, and fail points to undo. */
export interface RunnerContext {
  entities: EntityMap;
  internalClient: MongoClient;
  /** Names of fail points set by the test, turned off afterwards. */
  failPoints: Set<string>;
}

async function testRunnerOperation(op: SpecOperation, ctx: RunnerContext): Promise<unknown> {
  const args = op.arguments ?? {};
  if (op.name === 'failPoint') {
    const client = ctx.entities.client(args.client);
    ctx.failPoints.add(args.failPoint.configureFailPoint);
    return client.db('admin').command(args.failPoint);
  }
  if (op.name === 'createEntities') return ctx.entities.create(args.entities);
  throw new Error(`unsupported testRunner operation ${op.name}`);
}

function operationsFor(target: unknown): Record<string, (t: never, a: Document) => Promise<unknown>> {
  if (target instanceof Collection) return COLLECTION_OPERATIONS;
  if (target instanceof Db) return DATABASE_OPERATIONS;
  if (target instanceof MongoClient) return CLIENT_OPERATIONS;
  if (target instanceof ChangeStream) return CHANGE_STREAM_OPERATIONS;
  throw new Error('operation on an unsupported entity');
}

function execute(op: SpecOperation, ctx: RunnerContext): Promise<unknown> {
  if (op.object === 'testRunner') return testRunnerOperation(op, ctx);
  const target = ctx.entities.get(op.object);
  const impl = operationsFor(target)[op.name];
  if (!impl) throw new Error(`unsupported operation ${op.name} on ${op.object}`);
  const args = { ...(op.arguments ?? {}) };
  if (typeof args.session === 'string') args.session = ctx.entities.get(args.session);
  return impl(target as never, args);
}

function checkError(expected: Document, err: unknown, ctx: RunnerContext): void {
  const e = err as MongoServerError;
  const fail = (what: string) => {
    throw new Error(
      `${what}; the error was ${e?.name}: ${e?.message} ${EJSON.stringify({ code: e?.code, labels: e?.errorLabels })}`,
    );
  };
  const fromServer = err instanceof MongoServerError;
  if (expected.isClientError !== undefined && expected.isClientError === fromServer)
    fail(`expected ${expected.isClientError ? 'a client' : 'a server'} error`);
  if (expected.errorCode !== undefined && e.code !== expected.errorCode)
    fail(`expected code ${expected.errorCode}`);
  if (expected.errorCodeName !== undefined && e.codeName !== expected.errorCodeName)
    fail(`expected codeName ${expected.errorCodeName}`);
  if (
    expected.errorContains !== undefined &&
    !e.message.toLowerCase().includes(String(expected.errorContains).toLowerCase())
  )
    fail(`expected the message to contain ${expected.errorContains}`);
  for (const label of (expected.errorLabelsContain as string[]) ?? [])
    if (!e.hasErrorLabel?.(label)) fail(`expected label ${label}`);
  for (const label of (expected.errorLabelsOmit as string[]) ?? [])
    if (e.hasErrorLabel?.(label)) fail(`expected no label ${label}`);
  if (expected.expectResult !== undefined)
    matchValue(expected.expectResult, (e as unknown as { result?: unknown }).result, ctx.entities);
}

/** Runs one operation and checks its expectResult / expectError, saving the result when asked. */
export async function runOperation(op: SpecOperation, ctx: RunnerContext): Promise<void> {
  let result: unknown;
  let error: unknown;
  let failed = false;
  try {
    result = await execute(op, ctx);
  } catch (err) {
    failed = true;
    error = err;
  }
  if (op.ignoreResultAndError) return;
  if (op.expectError) {
    if (!failed)
      throw new Error(`${op.name} succeeded but was expected to fail: ${EJSON.stringify({ result })}`);
    checkError(op.expectError, error, ctx);
    return;
  }
  if (failed) throw error;
  if (op.expectResult !== undefined) matchValue(op.expectResult, result, ctx.entities);
  if (op.saveResultAsEntity) ctx.entities.set(op.saveResultAsEntity, result);
}
