import os from 'node:os';

/** One line naming the machine and its load, printed above every table (numbers depend on both). */
export function machineLine(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${cpus[0]?.model ?? 'cpu'} × ${cpus.length}, Node ${process.version}, ${os.platform()} ${os.release()}, load ${load}`;
}
