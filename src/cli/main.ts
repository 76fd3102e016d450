// The `fjord` command's entry point (package.json "bin" → bin/fjord.js → here): runs the command line and
// sets the exit code; the process ends when the command's work is done. Runs on the main thread.
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
