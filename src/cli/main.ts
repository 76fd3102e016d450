// The `fjord` command's entry point (package.json "bin" → bin/fjord.js → here): runs the command line and
// sets the exit code; the process ends when the command's work is done. Runs on the main thread.
import { keepYoungGenerationSmall } from '../heap-tuning.js';

// Before the commands are loaded (loading them is what first grows the young generation); `fjord broker start`
// runs the broker in this process.
keepYoungGenerationSmall();
const { runCli } = await import('./program.js');
process.exitCode = await runCli(process.argv.slice(2));
