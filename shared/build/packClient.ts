/**
 * `npm run pack:client`: builds @livetrail/client from shared/ and writes
 * `dist/livetrail-client-<version>.tgz` (npm pack).
 *
 * - JavaScript: esbuild bundles the three entries (`index` for browsers, `node`, the `livetrail`
 *   CLI) as ESM with a shared chunk; the package's dependencies stay imports.
 * - Types: tsc emits declarations; only the files the entries reach are shipped (shared/ and the
 *   router's type, server/routers/_app.d.ts, which names nothing else of the server), with relative
 *   imports rewritten from `.ts` to `.js`.
 * - Both are checked: a bare import that is not a declared dependency (say `mongodb`, reached by a
 *   type or a value) fails the build, naming the file that reached it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const STAGE = join(ROOT, 'dist/client-package');
const SOURCE_MANIFEST = join(ROOT, 'shared/package.json');

interface Manifest {
  name: string;
  version: string;
  description: string;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}

/** The JS entries (name → source) and the declaration entries. */
const ENTRIES = { index: 'shared/index.ts', node: 'shared/node.ts', livetrail: 'shared/cli/livetrail.ts' };
const TYPE_ENTRIES = ['shared/index.ts', 'shared/node.ts'];

/** The package a bare specifier names: `@scope/name` or `name` (subpaths dropped). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Every module specifier a declaration file imports or re-exports (statements, `import("…")` types). */
function specifiersOf(text: string): string[] {
  const found = new Set<string>();
  for (const re of [
    /^(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gms,
    /\bimport\(["']([^"']+)["']\)/g,
  ])
    for (const m of text.matchAll(re)) found.add(m[1]!);
  return [...found];
}

function assertAllowed(specifier: string, file: string, allowed: Set<string>): void {
  if (specifier.startsWith('node:') || allowed.has(packageOf(specifier))) return;
  throw new Error(
    `${relative(ROOT, file)} imports '${specifier}', which is not a dependency of @livetrail/client ` +
      `(${[...allowed].join(', ')}): keep server-only code out of what shared/index.ts reaches`,
  );
}

async function buildJs(out: string, allowed: Set<string>): Promise<void> {
  const { metafile } = await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, join(ROOT, v)])),
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: [...allowed, ...[...allowed].map((p) => `${p}/*`), 'node:*'],
    chunkNames: 'chunks/[name]-[hash]',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  for (const [file, output] of Object.entries(metafile.outputs))
    for (const i of output.imports) if (i.external) assertAllowed(i.path, join(ROOT, file), allowed);
}

/** Emits declarations for the whole program, then copies the entries' closure into `out`. */
function buildTypes(out: string, allowed: Set<string>): void {
  const emitted = join(STAGE, '.types-all');
  const tsconfig = join(STAGE, 'tsconfig.types.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        outDir: emitted,
        rootDir: ROOT,
      },
      include: [],
      files: TYPE_ENTRIES.map((f) => join(ROOT, f)),
    }),
  );
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', tsconfig], { stdio: 'inherit' });
  const pending = TYPE_ENTRIES.map((f) => join(emitted, f.replace(/\.ts$/, '.d.ts')));
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const s of specifiersOf(text)) {
      if (!s.startsWith('.')) assertAllowed(s, file, allowed);
      else pending.push(resolve(dirname(file), s.replace(/\.ts$/, '.d.ts')));
    }
    const target = join(out, relative(emitted, file));
    mkdirSync(dirname(target), { recursive: true });
    // Published declarations import `./x.js`, which every moduleResolution maps to `./x.d.ts`.
    writeFileSync(target, text.replace(/(["']\.{1,2}\/[^"']*)\.ts(["'])/g, '$1.js$2'));
  }
  rmSync(emitted, { recursive: true, force: true });
  rmSync(tsconfig);
}

/** The published package.json: the source manifest with exports pointing at the built files. */
function publishManifest(source: Manifest): object {
  return {
    name: source.name,
    version: source.version,
    description: source.description,
    type: 'module',
    sideEffects: false,
    engines: source.engines,
    exports: {
      '.': {
        node: { types: './types/shared/node.d.ts', default: './dist/node.js' },
        types: './types/shared/index.d.ts',
        default: './dist/index.js',
      },
      './package.json': './package.json',
    },
    types: './types/shared/index.d.ts',
    bin: { livetrail: './dist/livetrail.js' },
    files: ['dist', 'types', 'README.md'],
    dependencies: source.dependencies,
    peerDependencies: source.peerDependencies,
  };
}

/** Builds the package into dist/client-package and packs it; returns the tarball's path. */
export async function packClient(): Promise<string> {
  const source = JSON.parse(readFileSync(SOURCE_MANIFEST, 'utf8')) as Manifest;
  const allowed = new Set([...Object.keys(source.dependencies), ...Object.keys(source.peerDependencies)]);
  // The app and the package must be built and tested against the same versions.
  const app = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const [name, range] of Object.entries({ ...source.dependencies, ...source.peerDependencies }))
    if (app.dependencies[name] !== range)
      throw new Error(
        `shared/package.json wants ${name}@${range}, package.json has ${app.dependencies[name] ?? 'none'}: keep them equal`,
      );
  rmSync(STAGE, { recursive: true, force: true });
  mkdirSync(STAGE, { recursive: true });
  await buildJs(join(STAGE, 'dist'), allowed);
  buildTypes(join(STAGE, 'types'), allowed);
  writeFileSync(join(STAGE, 'package.json'), `${JSON.stringify(publishManifest(source), null, 2)}\n`);
  cpSync(join(ROOT, 'shared/README.md'), join(STAGE, 'README.md'));
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', join(ROOT, 'dist')], {
    cwd: STAGE,
    encoding: 'utf8',
  }).trim();
  return join(ROOT, 'dist', name.split('\n').at(-1)!);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const tarball = await packClient();
  console.log(`${relative(process.cwd(), tarball)} (${(statSync(tarball).size / 1024).toFixed(1)} KiB)`);
}
