// The broker's command-line entry point: `node dist/src/main.js [--config FILE] [--set key=value …]`, the same
// as `fjord broker start` (src/cli/commands/broker-start.ts does the work). Runs on the main thread.
import { tuneHeapForBroker } from './heap-tuning.js';

// First, before the rest of the broker is loaded, so that every mark-compact sets its limit this way.
tuneHeapForBroker();
const { runBrokerStart } = await import('./cli/commands/broker-start.js');
void runBrokerStart(process.argv.slice(2));
