import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/repoRoot.ts';

/**
 * What the web app's script is made of, found by bundling its entry with esbuild (tree-shaken like
 * the real build; the JSX only has to parse here). Rows per package, in bytes of output.
 */
async function bundledBytesByPackage(): Promise<Map<string, number>> {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: ['client/main.tsx'],
    bundle: true,
    write: false,
    outdir: '/nonexistent',
    format: 'esm',
    splitting: true,
    platform: 'browser',
    conditions: ['browser'],
    jsx: 'transform',
    jsxFactory: 'h',
    jsxFragment: 'Fragment',
    metafile: true,
    logLevel: 'silent',
  });
  const bytes = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    // The entry's own chunk: what the page parses before its first paint.
    if (output.entryPoint !== 'client/main.tsx') continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/')[0]!;
      bytes.set(pkg, (bytes.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return bytes;
}

describe('the web app bundle', () => {
  it('has no zod (the schemas are the server’s) and loads highlight.js only on demand', async () => {
    const bytes = await bundledBytesByPackage();
    // Sanity: the bundle was read (solid and the app's own code are in it).
    expect(bytes.get('solid-js')).toBeGreaterThan(10_000);
    expect(bytes.get('client')).toBeGreaterThan(50_000);
    // A runtime import of shared/session.ts, agentEvent.ts or idempotencyKeySchema.ts from the app
    // pulls zod in (~70 kB): use the zod-free helpers (sessionHelpers.ts, isCompacted.ts) instead.
    expect(bytes.get('zod') ?? 0).toBe(0);
    expect(bytes.get('highlight.js') ?? 0).toBe(0);
  });
});
