import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const info = await stat(join(entry.parentPath, entry.name));
    newest = Math.max(newest, info.mtimeMs);
  }
  return newest;
}

/**
 * Builds the SPA with Vite when `outDir/index.html` is missing or older than any source it is built
 * from (client/, shared/, vite.config.ts). Returns whether it built.
 */
export async function ensureClientBuild(outDir: string, log: (message: string) => void): Promise<boolean> {
  const built = await stat(join(outDir, 'index.html')).catch(() => undefined);
  if (built) {
    const sources = Math.max(
      await newestMtime('client'),
      await newestMtime('shared'),
      (await stat('vite.config.ts')).mtimeMs,
    );
    if (sources <= built.mtimeMs) return false;
  }
  log(built ? 'web app sources changed, rebuilding…' : 'building the web app (first start)…');
  const { build } = await import('vite');
  await build({
    configFile: 'vite.config.ts',
    logLevel: 'warn',
    build: { outDir: resolve(outDir) },
  });
  return true;
}
