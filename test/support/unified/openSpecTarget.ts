import { MongoClient } from 'mongodb';
import { type MongoWireServer, startMongoWireServer } from '../mongoWire/createMongoWireServer.ts';
import type { ServerInfo } from './unmetRequirement.ts';

/** The deployment the spec tests run against, with the runner's own client. */
export interface SpecTarget {
  uri: string;
  info: ServerInfo;
  /** Describes the target for the summary: the wire test server or the given URI (without credentials). */
  label: string;
  internalClient: MongoClient;
  close(): Promise<void>;
}

/**
 * Connects to `MONGODB_TEST_URI` when set, else starts a fresh wire test server; asks the target
 * for its version (buildInfo) and topology (hello).
 */
export async function openSpecTarget(): Promise<SpecTarget> {
  const envUri = process.env.MONGODB_TEST_URI;
  let wire: MongoWireServer | undefined;
  if (!envUri) wire = await startMongoWireServer();
  const uri = envUri ?? wire!.uri;
  const internalClient = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  await internalClient.connect();
  const admin = internalClient.db('admin');
  const build = await admin.command({ buildInfo: 1 });
  const hello = await admin.command({ hello: 1 });
  const topology: ServerInfo['topology'] =
    hello.msg === 'isdbgrid'
      ? 'sharded'
      : hello.serviceId
        ? 'load-balanced'
        : hello.setName
          ? 'replicaset'
          : 'single';
  const info: ServerInfo = {
    version: String(build.version),
    topology,
    serverless: false,
    auth: /^mongodb(\+srv)?:\/\/[^/]*@/.test(uri),
    csfle: false,
  };
  return {
    uri,
    info,
    label: wire ? 'mongo wire test server' : uri.replace(/\/\/[^/]*@/, '//'),
    internalClient,
    async close() {
      await internalClient.close();
      await wire?.stop();
    },
  };
}
