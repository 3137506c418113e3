/** Results of one spec file. */
export interface SpecTally {
  dir: string;
  file: string;
  passed: number;
  failed: number;
  /** One reason per skipped test. */
  skipped: string[];
}

function countBy(reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n}× ${r}`).join('; ');
}

/** Prints a table of passed/failed/skipped per file (with skip reasons) and totals per directory. */
export function printSpecSummary(target: string, tallies: SpecTally[]): void {
  const lines = [
    `MongoDB unified spec tests against ${target}`,
    'file | passed | failed | skipped (reasons)',
  ];
  for (const t of tallies) {
    const skips = t.skipped.length > 0 ? `${t.skipped.length} (${countBy(t.skipped)})` : '0';
    lines.push(`${t.dir}/${t.file} | ${t.passed} | ${t.failed} | ${skips}`);
  }
  for (const dir of new Set(tallies.map((t) => t.dir))) {
    const mine = tallies.filter((t) => t.dir === dir);
    const sum = (f: (t: SpecTally) => number) => mine.reduce((n, t) => n + f(t), 0);
    lines.push(
      `TOTAL ${dir} | ${sum((t) => t.passed)} | ${sum((t) => t.failed)} | ${sum((t) => t.skipped.length)}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
