import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 almost everywhere). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Name, ppid and user+system CPU seconds of one process (all its threads), or null if it is gone. */
function readStat(pid: number): { name: string; ppid: number; seconds: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: split after its last ')'.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return {
    name: text.slice(text.indexOf('(') + 1, close),
    ppid: Number(fields[1]),
    seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
  };
}

/** CPU seconds (user + system) `pid` has used so far. */
export function processCpuSeconds(pid: number): number {
  return readStat(pid)?.seconds ?? 0;
}

/** The pids of /proc. */
function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** The first child of `parent` whose name matches `name` (e.g. the browser playwright launched). */
export function findChild(parent: number, name: RegExp): number | undefined {
  return allPids().find((pid) => {
    const stat = readStat(pid);
    return stat?.ppid === parent && name.test(stat.name);
  });
}

/** The live descendants of `root`, and `root`. */
function treePids(root: number, stats: Map<number, { ppid: number }>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of stats) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Every live process's stat, by pid. */
function allStats(): Map<number, { ppid: number; seconds: number }> {
  const stats = new Map<number, { ppid: number; seconds: number }>();
  for (const pid of allPids()) {
    const stat = readStat(pid);
    if (stat) stats.set(pid, stat);
  }
  return stats;
}

/** Sets the nice value of `root` and its live descendants (processes they fork later inherit it). */
export function reniceTree(root: number, nice: number): void {
  for (const pid of treePids(root, allStats())) {
    try {
      setPriority(pid, nice);
    } catch {
      // Gone meanwhile.
    }
  }
}

/**
 * CPU seconds used so far by `root` and every live descendant (Chromium's renderer, GPU and
 * utility processes). Processes that exited meanwhile are not counted.
 */
export function treeCpuSeconds(root: number): number {
  const stats = allStats();
  return treePids(root, stats).reduce((sum, pid) => sum + (stats.get(pid)?.seconds ?? 0), 0);
}

/** Busy and total CPU seconds of the whole machine so far (all cores; /proc/stat's first line). */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy: busy / TICKS_PER_SECOND, total: (busy + idle! + iowait!) / TICKS_PER_SECOND };
}

/** The server's own `process_cpu_seconds_total` from `/metrics` (prom-client's process.cpuUsage), or null. */
export async function metricsCpuSeconds(url: string): Promise<number | null> {
  const res = await fetch(new URL('/metrics', url));
  if (!res.ok) return null;
  const match = /^process_cpu_seconds_total (\S+)$/m.exec(await res.text());
  return match ? Number(match[1]) : null;
}

/** What a CPU window measured: each as % of one core over the window's wall time. */
export interface CpuWindow {
  wallS: number;
  serverPct: number;
  serverMetricsPct: number | null;
  browserPct: number | null;
  benchPct: number;
  machinePct: number;
}

/**
 * Starts a CPU window over the server `serverPid` (from /proc, and its /metrics as a cross-check),
 * the browser tree under `browserPid` (if any), this bench process, and the machine (% of all cores).
 */
export async function startCpuWindow(
  serverUrl: string,
  serverPid: number,
  browserPid: number | undefined,
): Promise<() => Promise<CpuWindow>> {
  const t0 = performance.now();
  const server0 = processCpuSeconds(serverPid);
  const metrics0 = await metricsCpuSeconds(serverUrl);
  const browser0 = browserPid === undefined ? 0 : treeCpuSeconds(browserPid);
  const bench0 = process.cpuUsage();
  const machine0 = machineCpuSeconds();
  return async () => {
    const wallS = (performance.now() - t0) / 1000;
    const server1 = processCpuSeconds(serverPid);
    const metrics1 = await metricsCpuSeconds(serverUrl);
    const bench = process.cpuUsage(bench0);
    const machine1 = machineCpuSeconds();
    const pct = (seconds: number) => (seconds / wallS) * 100;
    return {
      wallS,
      serverPct: pct(server1 - server0),
      serverMetricsPct: metrics0 === null || metrics1 === null ? null : pct(metrics1 - metrics0),
      browserPct: browserPid === undefined ? null : pct(treeCpuSeconds(browserPid) - browser0),
      benchPct: pct((bench.user + bench.system) / 1e6),
      machinePct: ((machine1.busy - machine0.busy) / Math.max(1e-9, machine1.total - machine0.total)) * 100,
    };
  };
}
