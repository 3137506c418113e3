import { type Binary, UUID } from 'bson';
import { canonicalKey, cloneValue, type Doc, formatValue, getPath, isPlainObject } from './bsonValues.ts';
import { CommandError } from './commandError.ts';
import { assertValidFilter, matchesFilter } from './queryMatcher.ts';

/** An index as listIndexes reports it. Only `unique` (with `sparse` / `partialFilterExpression`) is enforced. */
export interface IndexSpec {
  v: number;
  key: Doc;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  [option: string]: unknown;
}

const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/** One collection's documents (in natural = insertion order) and indexes. */
export class MongoCollection {
  readonly uuid: Binary = new UUID().toBinary();
  readonly indexes: IndexSpec[] = [ID_INDEX];
  private readonly docs = new Map<string, Doc>();
  // index name → (index key → canonical _id); _id_ is the docs map itself.
  private readonly uniqueKeys = new Map<string, Map<string, string>>();

  constructor(
    public db: string,
    public name: string,
    /** Options given to `create` (or changed by `collMod`), as listCollections reports them. */
    public options: Doc = {},
  ) {}

  /** True when change streams may report pre- and post-images of this collection's writes. */
  get recordsImages(): boolean {
    const opt = this.options.changeStreamPreAndPostImages as Doc | undefined;
    return opt?.enabled === true;
  }

  /** Stored documents in natural order. Callers must not mutate them; clone before handing out. */
  all(): Doc[] {
    return [...this.docs.values()];
  }

  /** Stored documents matching `filter`, in natural order (not copies). */
  find(filter: Doc | undefined | null): Doc[] {
    assertValidFilter(filter);
    return this.all().filter((d) => matchesFilter(d, filter));
  }

  /** The stored document with this `_id`, if any. */
  byId(id: unknown): Doc | undefined {
    return this.docs.get(canonicalKey(id));
  }

  get size(): number {
    return this.docs.size;
  }

  /** Stores a copy of `doc` (which must have `_id`); throws E11000 on a unique-key clash. */
  insert(doc: Doc): void {
    const idKey = canonicalKey(doc._id);
    if (this.docs.has(idKey)) throw this.duplicate(ID_INDEX, { _id: doc._id });
    const keys = this.checkUnique(doc, undefined);
    this.docs.set(idKey, cloneValue(doc));
    for (const [name, key] of keys) this.uniqueKeys.get(name)!.set(key, idKey);
  }

  /** Replaces the stored document with the same `_id` by a copy of `next`; throws E11000 on a clash. */
  replace(next: Doc): void {
    const idKey = canonicalKey(next._id);
    const prev = this.docs.get(idKey);
    if (!prev) throw new CommandError(1, 'mongo wire test server: replace of a missing document');
    const keys = this.checkUnique(next, idKey);
    this.unindex(prev);
    this.docs.set(idKey, cloneValue(next));
    for (const [name, key] of keys) this.uniqueKeys.get(name)!.set(key, idKey);
  }

  /** Removes the stored document with this `_id`. */
  remove(id: unknown): void {
    const idKey = canonicalKey(id);
    const prev = this.docs.get(idKey);
    if (!prev) return;
    this.unindex(prev);
    this.docs.delete(idKey);
  }

  /** Adds an index; a new unique index over existing duplicates fails with E11000, like MongoDB. */
  createIndex(spec: IndexSpec): 'created' | 'exists' {
    const sameName = this.indexes.find((i) => i.name === spec.name);
    const sameKey = this.indexes.find((i) => canonicalKey(i.key) === canonicalKey(spec.key));
    if (sameName) {
      if (canonicalKey(sameName.key) !== canonicalKey(spec.key)) {
        throw new CommandError(
          86,
          `An existing index has the same name as the requested index: ${spec.name}`,
        );
      }
      if (
        Boolean(sameName.unique) !== Boolean(spec.unique) ||
        Boolean(sameName.sparse) !== Boolean(spec.sparse)
      ) {
        throw new CommandError(
          85,
          `An equivalent index already exists with the same name but different options`,
        );
      }
      return 'exists';
    }
    if (sameKey && Boolean(sameKey.unique) === Boolean(spec.unique)) {
      throw new CommandError(85, `Index already exists with a different name: ${sameKey.name}`);
    }
    if (spec.unique) {
      const map = new Map<string, string>();
      for (const [idKey, doc] of this.docs) {
        const key = this.indexKey(spec, doc);
        if (key === null) continue;
        if (map.has(key.key)) throw this.duplicate(spec, key.value);
        map.set(key.key, idKey);
      }
      this.uniqueKeys.set(spec.name, map);
    }
    this.indexes.push(spec);
    return 'created';
  }

  /** Drops a non-_id index by name; false when there is none. */
  dropIndex(name: string): boolean {
    const at = this.indexes.findIndex((i) => i.name === name);
    if (at <= 0) return false;
    this.indexes.splice(at, 1);
    this.uniqueKeys.delete(name);
    return true;
  }

  private indexKey(index: IndexSpec, doc: Doc): { key: string; value: Doc } | null {
    const value: Doc = {};
    let present = false;
    for (const field of Object.keys(index.key)) {
      const v = getPath(doc, field);
      if (v !== undefined) present = true;
      value[field] = v ?? null;
    }
    if (index.sparse && !present) return null;
    if (isPlainObject(index.partialFilterExpression) && !matchesFilter(doc, index.partialFilterExpression)) {
      return null;
    }
    return { key: canonicalKey(Object.values(value)), value };
  }

  private checkUnique(doc: Doc, selfIdKey: string | undefined): [string, string][] {
    const keys: [string, string][] = [];
    for (const index of this.indexes) {
      const map = this.uniqueKeys.get(index.name);
      if (!map) continue;
      const key = this.indexKey(index, doc);
      if (key === null) continue;
      const owner = map.get(key.key);
      if (owner !== undefined && owner !== selfIdKey) throw this.duplicate(index, key.value);
      keys.push([index.name, key.key]);
    }
    return keys;
  }

  private unindex(doc: Doc): void {
    for (const index of this.indexes) {
      const map = this.uniqueKeys.get(index.name);
      const key = map && this.indexKey(index, doc);
      if (key) map.delete(key.key);
    }
  }

  private duplicate(index: IndexSpec, keyValue: Doc): CommandError {
    return new CommandError(
      11000,
      `E11000 duplicate key error collection: ${this.db}.${this.name} index: ${index.name} dup key: ${formatValue(keyValue)}`,
      { keyPattern: index.key, keyValue },
    );
  }
}

/** All databases and collections of the server; kept across stop()/start(). */
export class Catalog {
  private readonly dbs = new Map<string, Map<string, MongoCollection>>();

  get(db: string, coll: string): MongoCollection | undefined {
    return this.dbs.get(db)?.get(coll);
  }

  /** The collection, created implicitly (as MongoDB does on first write) when missing. */
  getOrCreate(
    db: string,
    coll: string,
    options: Doc = {},
  ): { collection: MongoCollection; created: boolean } {
    const existing = this.get(db, coll);
    if (existing) return { collection: existing, created: false };
    const collection = new MongoCollection(db, coll, options);
    this.collectionsOf(db, coll).set(coll, collection);
    return { collection, created: true };
  }

  /** Moves a collection to a free name; it keeps its UUID, options, documents and indexes. */
  rename(db: string, coll: string, toDb: string, to: string): MongoCollection {
    const collection = this.get(db, coll);
    if (!collection) throw new CommandError(26, `Source collection ${db}.${coll} does not exist`);
    const target = this.collectionsOf(toDb, to);
    this.drop(db, coll);
    collection.db = toDb;
    collection.name = to;
    target.set(to, collection);
    return collection;
  }

  private collectionsOf(db: string, coll: string): Map<string, MongoCollection> {
    if (!coll || coll.includes('$') || coll.startsWith('system.')) {
      throw new CommandError(73, `Invalid collection name: ${db}.${coll}`);
    }
    let colls = this.dbs.get(db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    return colls;
  }

  /** Drops one collection; false when it did not exist. */
  drop(db: string, coll: string): boolean {
    return this.dbs.get(db)?.delete(coll) ?? false;
  }

  collections(db: string): MongoCollection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  databases(): string[] {
    return [...this.dbs.keys()].filter((db) => (this.dbs.get(db)?.size ?? 0) > 0);
  }

  /** Removes a database; returns the names of the collections it held. */
  dropDatabase(db: string): string[] {
    const names = [...(this.dbs.get(db)?.keys() ?? [])];
    this.dbs.delete(db);
    return names;
  }
}
