import { cloneValue, type Doc } from '../bsonValues.ts';
import { CommandError } from '../commandError.ts';
import { type CommandContext, collectionName, recordChange } from '../serverState.ts';
import { recordDdl } from './catalogCommands.ts';

const MODIFIABLE = new Set([
  'changeStreamPreAndPostImages',
  'validator',
  'validationLevel',
  'validationAction',
]);

/** `collMod`: changes collection options (changeStreamPreAndPostImages and validation settings are kept). */
export function collModCommand(ctx: CommandContext): Doc {
  const coll = collectionName(ctx);
  const collection = ctx.state.catalog.get(ctx.db, coll);
  if (!collection) throw new CommandError(26, `ns does not exist: ${ctx.db}.${coll}`);
  const changes: Doc = {};
  for (const [key, value] of Object.entries(ctx.command)) {
    if (MODIFIABLE.has(key)) changes[key] = cloneValue(value);
  }
  const before = cloneValue(collection.options);
  collection.options = { ...collection.options, ...changes };
  recordDdl(ctx, collection, 'modify', { ...changes, stateBeforeChange: { collectionOptions: before } });
  return { ok: 1 };
}

function splitNamespace(ns: unknown, field: string): { db: string; coll: string } {
  const at = typeof ns === 'string' ? ns.indexOf('.') : -1;
  if (at <= 0) throw new CommandError(73, `Invalid ${field} namespace: ${String(ns)}`);
  const s = ns as string;
  return { db: s.slice(0, at), coll: s.slice(at + 1) };
}

/** `renameCollection` (admin): `{renameCollection: 'db.a', to: 'db.b', dropTarget}`; emits `rename`. */
export function renameCollectionCommand(ctx: CommandContext): Doc {
  if (ctx.db !== 'admin')
    throw new CommandError(13, 'renameCollection may only be run against the admin database.');
  const from = splitNamespace(ctx.command.renameCollection, 'source');
  const to = splitNamespace(ctx.command.to, 'target');
  const { catalog } = ctx.state;
  const source = catalog.get(from.db, from.coll);
  if (!source) throw new CommandError(26, 'Source collection does not exist');
  const target = catalog.get(to.db, to.coll);
  if (target && ctx.command.dropTarget !== true) throw new CommandError(48, 'target namespace exists');
  const description: Doc = { to };
  if (target) {
    catalog.drop(to.db, to.coll);
    description.dropTarget = target.uuid;
  }
  catalog.rename(from.db, from.coll, to.db, to.coll);
  recordChange(
    { ...ctx, db: from.db },
    {
      operationType: 'rename',
      db: from.db,
      coll: from.coll,
      collectionUUID: source.uuid,
      to,
      operationDescription: description,
    },
  );
  return { ok: 1 };
}
