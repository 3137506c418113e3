/**
 * The `p`th percentile of `sorted` (ascending) as if it held `total` values, the missing ones larger
 * than any present: null when the percentile falls among the missing (deliveries that never came).
 */
export function percentile(sorted: number[], p: number, total = sorted.length): number | null {
  if (total === 0) return null;
  const index = Math.min(total - 1, Math.ceil((p / 100) * total) - 1);
  return index < sorted.length ? sorted[Math.max(0, index)]! : null;
}
