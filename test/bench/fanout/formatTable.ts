const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** A markdown table: a header row, then one line per row of cells. */
export function formatTable(headers: string[], rows: string[][]): string {
  return [headers, headers.map(() => '---'), ...rows].map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n');
}
