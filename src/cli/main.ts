// The `fjord` command's entry point (package.json "bin" → bin/fjord.js → here): runs the command line and
// sets the exit code; the process ends when the command's work is done. Runs on the main thread.
import { tuneHeapForBroker } from '../heap-tuning.js';

// First, before the commands are loaded, so that every mark-compact sets its limit this way; `fjord broker start`
// runs the broker in this process.
tuneHeapForBroker();
const { runCli } = await import('./program.js');
process.exitCode = await runCli(process.argv.slice(2));
