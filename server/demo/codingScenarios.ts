import type { DemoScenario } from './demoScenarios.ts';

/** Scripted coding sessions: tests, migrations, upgrades, release chores. */
export const CODING_SCENARIOS: DemoScenario[] = [
  {
    title: 'Fix flaky login test',
    steps: [
      {
        thought: 'The failure is intermittent, so run the test several times to see how it fails.',
        say: "I'll reproduce the flake first by running the login spec in a loop.",
        tool: 'bash',
        args: { command: 'for i in $(seq 10); do npx vitest run test/login.spec.ts || break; done' },
        output: [
          ' ✓ test/login.spec.ts (6 tests) 412ms',
          ' ✓ test/login.spec.ts (6 tests) 398ms',
          ' ✗ test/login.spec.ts > redirects to the dashboard after sign-in',
          "   AssertionError: expected '/login' to be '/dashboard'",
          '   ❯ test/login.spec.ts:48:31',
        ].join('\n'),
      },
      {
        thought: 'The redirect assertion runs right after click(); it probably races the navigation.',
        say: 'It fails about 1 in 3 runs on the redirect check. Looking at the test body.',
        tool: 'read_file',
        args: { path: 'test/login.spec.ts', startLine: 40, endLine: 52 },
        output: [
          "40  it('redirects to the dashboard after sign-in', async () => {",
          "41    await page.fill('#email', 'ada@example.com');",
          "42    await page.fill('#password', 'correct horse');",
          "43    await page.click('button[type=submit]');",
          '44    await sleep(200);',
          "48    expect(new URL(page.url()).pathname).toBe('/dashboard');",
        ].join('\n'),
      },
      {
        thought: 'A fixed sleep is the bug. Wait for the URL instead.',
        say: 'Found it: a fixed 200 ms sleep. Replacing it with an explicit wait for the navigation.',
        tool: 'edit_file',
        args: {
          path: 'test/login.spec.ts',
          find: '    await sleep(200);',
          replace: "    await page.waitForURL('**/dashboard');",
        },
        output: 'test/login.spec.ts: 1 replacement',
      },
      {
        thought: 'Verify with many more runs than it took to reproduce.',
        say: 'Running it 30 times to be sure the flake is gone.',
        tool: 'bash',
        args: { command: 'npx vitest run test/login.spec.ts --repeat 30' },
        output:
          ' ✓ test/login.spec.ts (6 tests × 30) 11.84s\n\n Test Files  1 passed (1)\n      Tests  180 passed (180)',
        failure: {
          output:
            ' ✗ test/login.spec.ts > remembers the session (run 17/30)\n   TimeoutError: waiting for #avatar',
          error: 'A second flake showed up in "remembers the session" (timeout waiting for #avatar).',
        },
      },
    ],
    done: 'The login test now waits for navigation instead of sleeping; 30/30 runs pass.',
    summary: 'Replaced a fixed sleep with waitForURL in test/login.spec.ts; 180/180 passes over 30 runs.',
    failedSummary: 'Fixed the redirect race, but a second flake (session restore timeout) remains.',
  },
  {
    title: 'Migrate config to YAML',
    steps: [
      {
        thought: 'Find every JSON config and who reads it before converting anything.',
        say: "Let me see which config files exist and where they're loaded.",
        tool: 'bash',
        args: { command: 'ls config/ && grep -rn "config/.*\\.json" src | head' },
        output:
          'app.json  database.json  features.json\nsrc/config/load.ts:12:  const raw = readFileSync(path.join(CONFIG_DIR, file))',
      },
      {
        thought: 'One loader: convert the files, then switch the loader to a YAML parser.',
        say: 'Only one loader reads them, which keeps this small. Converting the three files.',
        tool: 'bash',
        args: {
          command: 'for f in config/*.json; do npx js-yaml "$f" > "config/$(basename "$f" .json).yaml"; done',
        },
        output: 'config/app.yaml\nconfig/database.yaml\nconfig/features.yaml',
        failure: {
          output: 'YAMLException: duplicated mapping key (12:3)\n  in config/features.json',
          error:
            'config/features.json has a duplicated key "beta_search"; JSON.parse silently keeps the last one.',
        },
      },
      {
        thought: 'Loader change plus tests.',
        say: 'Switching src/config/load.ts to the yaml package and running the config tests.',
        tool: 'bash',
        args: { command: 'npx vitest run test/config' },
        output: ' ✓ test/config/load.test.ts (9 tests) 61ms\n\n Tests  9 passed (9)',
      },
    ],
    question: {
      afterStep: 0,
      ask: 'Should I keep the JSON files for one release as a fallback, or delete them in this change?',
      onAnswer: 'Noted, continuing with the conversion.',
    },
    done: 'Config now lives in YAML and the loader reads it; all config tests pass.',
    summary:
      'Converted app/database/features configs to YAML and switched the loader; 9/9 config tests pass.',
    failedSummary: 'Stopped: features.json has a duplicated key that needs a human decision.',
  },
  {
    title: 'Write release notes for v2.4',
    steps: [
      {
        thought: 'Merged PR titles since the last tag are the raw material.',
        say: "I'll list what was merged since v2.3.0.",
        tool: 'bash',
        args: { command: 'git log v2.3.0..HEAD --merges --pretty="%s"' },
        output: [
          'Merge pull request #1412 from feat/bulk-export',
          'Merge pull request #1407 from fix/timezone-dst',
          'Merge pull request #1399 from feat/sso-okta',
          'Merge pull request #1396 from chore/deps-march',
        ].join('\n'),
      },
      {
        thought: 'Group into features and fixes; skip dependency chores.',
        say: 'Three user-facing changes. Writing the notes in the usual CHANGELOG format.',
        tool: 'edit_file',
        args: { path: 'CHANGELOG.md', insertAt: 1, lines: 14 },
        output: 'CHANGELOG.md: inserted 14 lines at line 1',
      },
    ],
    done: 'Release notes for v2.4 are at the top of CHANGELOG.md.',
    summary: 'v2.4 notes: bulk export, Okta SSO, DST fix for scheduled reports.',
    failedSummary: 'Release notes not written.',
  },
  {
    title: 'Bump Node to 22 in CI',
    steps: [
      {
        thought: 'Check where the Node version is pinned.',
        say: 'Looking for Node version pins in CI and package.json.',
        tool: 'bash',
        args: { command: 'grep -rn \'node-version\\|"node"\' .github package.json .nvmrc' },
        output:
          '.github/workflows/ci.yml:18:          node-version: 20\npackage.json:6:    "node": ">=20"\n.nvmrc:1:20',
      },
      {
        thought: 'Three pins; update all, then run the suite on 22 locally.',
        say: 'Updating the three pins to 22 and running the tests on Node 22.',
        tool: 'bash',
        args: { command: 'npx -p node@22 npm test' },
        output: ' Test Files  84 passed (84)\n      Tests  1023 passed (1023)\n   Duration  41.7s',
        failure: {
          output:
            "TypeError: Cannot read properties of undefined (reading 'prototype')\n    at node_modules/legacy-mailer/index.js:7",
          error: 'legacy-mailer@1.x breaks on Node 22 (removed util.inherits target).',
        },
      },
    ],
    done: 'CI, package.json and .nvmrc now use Node 22; 1023 tests pass.',
    summary: 'Moved CI and engines to Node 22; full suite green.',
    failedSummary: 'Node 22 blocked by legacy-mailer@1.x; needs an upgrade first.',
  },
];
