/** Prints rows as left-aligned columns. */
export function printTable(out: NodeJS.WritableStream, headers: string[], rows: string[][]): void {
  if (rows.length === 0) {
    out.write('(none)\n');
    return;
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n';
  out.write(line(headers));
  for (const row of rows) out.write(line(row));
}
