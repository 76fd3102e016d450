// Writing the fjord command's results to stdout with backpressure (a slow pipe pauses the producer of
// lines instead of buffering without bound), and a quiet exit when the reader goes away (`| head`).
// Runs on the main thread.

let stdoutClosed = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  stdoutClosed = true;
  process.exit(0);
});

/** Writes `text`; resolves at once, or when stdout has drained if its buffer is full. */
export function write(text: string): Promise<void> | void {
  if (stdoutClosed) return;
  if (process.stdout.write(text)) return;
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

/** A status line for a person (progress, notes): stderr, so stdout stays data. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}
