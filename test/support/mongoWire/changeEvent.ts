import { cloneValue, type Doc } from './bsonValues.ts';
import { type ChangeEntry, encodeResumeToken, toTimestamp } from './changeLog.ts';
import type { Catalog } from './collections.ts';
import { CommandError } from './commandError.ts';

/** How a stream wants its events: the `$changeStream` options that shape them. */
export interface EventOptions {
  fullDocument: string;
  fullDocumentBeforeChange: string;
  showExpandedEvents: boolean;
}

function missingImage(which: 'pre' | 'post', e: ChangeEntry): CommandError {
  return new CommandError(
    47,
    `Change stream was configured to require a ${which}-image for all update, delete and replace events, but the ${which}-image was not found for event: ${e.operationType} ${e.db}.${e.coll}`,
  );
}

/** The recorded image when the collection kept images, null (whenAvailable) or an error (required). */
function image(mode: string, which: 'pre' | 'post', e: ChangeEntry): Doc | null {
  const recorded = which === 'pre' ? e.preImage : e.postImage;
  if (e.imagesRecorded && recorded) return cloneValue(recorded);
  if (mode === 'required') throw missingImage(which, e);
  return null;
}

function fullDocumentOfUpdate(o: EventOptions, e: ChangeEntry, catalog: Catalog): Doc | null | undefined {
  if (o.fullDocument === 'updateLookup') {
    // Looked up at read time, like mongod: it may already reflect later writes, or be null.
    const current = catalog.get(e.db, e.coll ?? '')?.byId(e.documentKey?._id);
    return current ? cloneValue(current) : null;
  }
  if (o.fullDocument === 'whenAvailable' || o.fullDocument === 'required')
    return image(o.fullDocument, 'post', e);
  return undefined;
}

/** The change event mongod would report for a history entry, before the stream's own stages. */
export function toChangeEvent(o: EventOptions, e: ChangeEntry, catalog: Catalog): Doc {
  const ev: Doc = {
    _id: encodeResumeToken(e.time, 'event'),
    operationType: e.operationType,
    clusterTime: toTimestamp(e.time),
    wallTime: e.wallTime,
  };
  if (o.showExpandedEvents && e.collectionUUID) ev.collectionUUID = e.collectionUUID;
  const op = e.operationType;
  if (op === 'insert' || op === 'replace') ev.fullDocument = cloneValue(e.postImage);
  if (op === 'update') {
    const full = fullDocumentOfUpdate(o, e, catalog);
    if (full !== undefined) ev.fullDocument = full;
  }
  ev.ns = e.coll === undefined ? { db: e.db } : { db: e.db, coll: e.coll };
  if (e.to) ev.to = { ...e.to };
  if (e.documentKey) ev.documentKey = cloneValue(e.documentKey);
  if (e.updateDescription) {
    ev.updateDescription = cloneValue(e.updateDescription);
    if (o.showExpandedEvents)
      ev.updateDescription.disambiguatedPaths = cloneValue(e.disambiguatedPaths ?? {});
  }
  if (o.showExpandedEvents && e.operationDescription)
    ev.operationDescription = cloneValue(e.operationDescription);
  if (o.fullDocumentBeforeChange !== 'off' && (op === 'update' || op === 'replace' || op === 'delete')) {
    ev.fullDocumentBeforeChange = image(o.fullDocumentBeforeChange, 'pre', e);
  }
  if (e.txn) {
    ev.lsid = e.txn.lsid;
    ev.txnNumber = e.txn.txnNumber;
  }
  return ev;
}
