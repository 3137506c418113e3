import solid from 'vite-plugin-solid';
import { defineConfig } from 'vitest/config';

const devServer = process.env.LIVETRAIL_DEV_API ?? 'http://127.0.0.1:3001';

/** The SPA build (client/ → dist/client), the dev server's proxy, and the two vitest projects. */
export default defineConfig({
  root: 'client',
  plugins: [solid()],
  build: { outDir: '../dist/client', emptyOutDir: true },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/trpc': { target: devServer },
      '/api': { target: devServer },
      '/healthz': { target: devServer },
      '/ws': { target: devServer.replace(/^http/, 'ws'), ws: true },
    },
  },
  test: {
    root: '.',
    projects: [
      {
        // No solid plugin here: it adds the `browser` resolve condition, which breaks `ws`.
        test: {
          name: 'node',
          root: '.',
          environment: 'node',
          include: ['test/unit/**/*.unit.test.ts', 'test/int/**/*.int.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        plugins: [solid()],
        resolve: { conditions: ['development', 'browser'] },
        test: {
          name: 'dom',
          root: '.',
          environment: 'jsdom',
          include: ['test/unit/**/*.unit.test.tsx'],
        },
      },
      {
        test: {
          name: 'e2e',
          root: '.',
          environment: 'node',
          include: ['test/e2e/**/*.e2e.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
