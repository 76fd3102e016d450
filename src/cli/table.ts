// Plain-text tables for the fjord command's listings: a header row and aligned columns, widths from the
// content, no color (output is often piped). Runs on the main thread.

export type Cell = string | number | null;

/** Rows under `headers`, each column padded to its widest cell; the last column is not padded. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const text = [headers, ...rows.map((row) => row.map((cell) => (cell === null ? '-' : String(cell))))];
  const widths = headers.map((_, column) => Math.max(...text.map((row) => (row[column] ?? '').length)));
  return `${text
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : (cell ?? '').padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
