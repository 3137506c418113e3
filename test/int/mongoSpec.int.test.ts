import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { loadSpecFile, type SpecFile } from '../support/unified/loadSpecFile.ts';
import { openSpecTarget } from '../support/unified/openSpecTarget.ts';
import { printSpecSummary, type SpecTally } from '../support/unified/printSpecSummary.ts';
import { runUnifiedTest } from '../support/unified/runUnifiedTest.ts';
import { SPEC_SKIPS } from '../support/unified/specSkips.ts';
import { unmetRequirement } from '../support/unified/unmetRequirement.ts';

// The MongoDB unified spec tests (shared/ beside the repository), against MONGODB_TEST_URI or a wire test server.
const SPEC_ROOT = join(REPO_ROOT, '..', 'shared', 'mongo-spec');
const DIRECTORIES = ['change-streams', 'retryable-writes'];

const target = await openSpecTarget();
const tallies: SpecTally[] = [];

afterAll(async () => {
  printSpecSummary(target.label, tallies);
  await target.close();
});

for (const dir of DIRECTORIES) {
  if (!existsSync(join(SPEC_ROOT, dir))) {
    const where = join(SPEC_ROOT, dir);
    // In CI the spec files are part of the checkout's surroundings: missing is a failure, not a skip.
    if (process.env.CI) {
      it(`${dir}: spec files present`, () => {
        throw new Error(`no MongoDB spec files at ${where} (CI runs with ../shared beside the repository)`);
      });
    } else it.skip(`${dir} [skipped: no spec files at ${where}]`, () => {});
    continue;
  }
  const files = readdirSync(join(SPEC_ROOT, dir))
    .filter((f) => f.endsWith('.json'))
    .sort();
  for (const name of files) {
    const file: SpecFile = loadSpecFile(join(SPEC_ROOT, dir, name));
    const tally: SpecTally = { dir, file: name, passed: 0, failed: 0, skipped: [] };
    tallies.push(tally);
    const fileSkip = unmetRequirement(file.runOnRequirements, target.info);
    describe(`${dir}/${name}`, () => {
      for (const test of file.tests) {
        const reason =
          fileSkip ??
          unmetRequirement(test.runOnRequirements, target.info) ??
          test.skipReason ??
          SPEC_SKIPS[`${name}: ${test.description}`] ??
          null;
        if (reason !== null) {
          tally.skipped.push(reason);
          it.skip(`${test.description} [skipped: ${reason}]`, () => {});
          continue;
        }
        it(test.description, async () => {
          try {
            await runUnifiedTest(file, test, target.uri, target.internalClient);
            tally.passed++;
          } catch (err) {
            tally.failed++;
            throw err;
          }
        });
      }
    });
  }
}
