/** A counter by key that prints as `200×12 413×3`, keys in first-seen order. */
export function createTally() {
  const counts = new Map<string, number>();
  return {
    add(key: string | number, n = 1): void {
      const k = String(key);
      counts.set(k, (counts.get(k) ?? 0) + n);
    },
    get(key: string | number): number {
      return counts.get(String(key)) ?? 0;
    },
    total(): number {
      let sum = 0;
      for (const n of counts.values()) sum += n;
      return sum;
    },
    format(): string {
      return counts.size === 0 ? 'none' : [...counts].map(([k, n]) => `${k}×${n}`).join(' ');
    },
  };
}

/** A counter returned by `createTally`. */
export type Tally = ReturnType<typeof createTally>;
