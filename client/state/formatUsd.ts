/** A cost in US dollars: 4 decimals below $1 (LLM calls cost fractions of a cent), 2 from $1 up. */
export function formatUsd(usd: number): string {
  return `$${usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`;
}
