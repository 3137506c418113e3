import { readFileSync } from 'node:fs';
import { type Document, EJSON } from 'bson';

/** One entry of `runOnRequirements`. */
export interface RunOnRequirement {
  minServerVersion?: string;
  maxServerVersion?: string;
  topologies?: string[];
  serverless?: 'require' | 'forbid' | 'allow';
  auth?: boolean;
  csfle?: boolean;
  serverParameters?: Document;
}

/** An operation of a test (or of `createEntities` nested in one). */
export interface SpecOperation {
  name: string;
  object: string;
  arguments?: Document;
  expectResult?: unknown;
  expectError?: Document;
  saveResultAsEntity?: string;
  ignoreResultAndError?: boolean;
}

/** Expected events of one client. */
export interface ExpectedEvents {
  client: string;
  eventType?: 'command' | 'cmap' | 'sdam';
  ignoreExtraEvents?: boolean;
  events: Document[];
}

/** Collection contents in `initialData` and `outcome`. */
export interface CollectionData {
  databaseName: string;
  collectionName: string;
  documents: Document[];
  createOptions?: Document;
}

export interface SpecTest {
  description: string;
  runOnRequirements?: RunOnRequirement[];
  skipReason?: string;
  operations: SpecOperation[];
  expectEvents?: ExpectedEvents[];
  outcome?: CollectionData[];
}

/** A unified-format test file. */
export interface SpecFile {
  description: string;
  schemaVersion: string;
  runOnRequirements?: RunOnRequirement[];
  createEntities?: Document[];
  initialData?: CollectionData[];
  tests: SpecTest[];
}

/** Reads a unified test file; Extended JSON in relaxed form, so numbers arrive as JS numbers. */
export function loadSpecFile(path: string): SpecFile {
  return EJSON.parse(readFileSync(path, 'utf8'), { relaxed: true }) as SpecFile;
}
