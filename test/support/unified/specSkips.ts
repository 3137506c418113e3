/**
 * Spec tests skipped one by one, keyed `file.json: description`, each with the feature that is missing.
 * Whole files and version/topology mismatches are decided by runOnRequirements instead.
 */
export const SPEC_SKIPS: Record<string, string> = {
  'bulkWrite.json: First insertOne is never committed':
    'driver: Node BulkWriteResult.insertedIds lists every attempted insert, not only committed ones',
};
