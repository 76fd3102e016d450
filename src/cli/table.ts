// Plain-text tables for the fjord command's listings: a header row and aligned columns, widths from the
// content, no color (output is often piped). Runs on the main thread.

export type Cell = string | number | null;

/** Rows under `headers`, each column padded to its widest cell; the last column is not padded. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const text = [headers, ...rows.map((row) => row.map((cell) => (cell === null ? '-' : String(cell))))];
  const widths = headers.map((_, column) => Math.max(...text.map((row) => (row[column] ?? '').length)));
  return text.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : (cell ?? '').padEnd(widths[column]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** 1536 → "1.5 KiB". */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
