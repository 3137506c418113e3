import { readFileSync } from 'node:fs';

/** A process's resident set size in KiB, from `VmRSS` in /proc/<pid>/status (Linux). */
export function measureRss(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}
