// The broker's command-line entry point: `node dist/src/main.js [--config FILE] [--set key=value …]`, the same
// as `fjord broker start` (src/cli/commands/broker-start.ts does the work). Runs on the main thread.
import { keepYoungGenerationSmall } from './heap-tuning.js';

// Before the rest of the broker is loaded: loading it is what first grows the young generation.
keepYoungGenerationSmall();
const { runBrokerStart } = await import('./cli/commands/broker-start.js');
void runBrokerStart(process.argv.slice(2));
