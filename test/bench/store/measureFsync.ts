import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type LatencyStats, latencyStats } from '../append/latencyStats.ts';

/**
 * What the disk under `dir` takes to make a small append durable: `count` times a 4 KiB write at the
 * end of a scratch file, then fdatasync (what a commit waits for), timed together. Context for every
 * durable store's numbers: on a VM the host may answer fdatasync from its own cache.
 */
export function measureFsync(dir: string, count = 200): LatencyStats | null {
  const path = join(dir, 'fsync-probe');
  const fd = openSync(path, 'a');
  const block = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      writeSync(fd, block);
      fdatasyncSync(fd);
      times.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  return latencyStats(times);
}
