// Runs every benchmark in sequence in this process (micro, ring-handoff, segment-append, recovery-scan, broker-startup, kafka-perf,
// produce-validation (this build only), group-rebalance, offset-commit), passing --short through, with a header per bench and one line about the machine.
// Main thread plus the workers each bench starts.
// `npm run bench` (full) or `node dist/bench/run-all.js --short` (CI).
import { availableParallelism, cpus, totalmem } from 'node:os';
import { pathToFileURL } from 'node:url';
import { main as brokerStartup } from './broker-startup.js';
import { main as groupRebalance } from './group-rebalance.js';
import { main as kafkaPerf } from './kafka-perf.js';
import { main as micro } from './micro.js';
import { main as offsetCommit } from './offset-commit.js';
import { main as produceValidation } from './produce-validation.js';
import { main as recoveryScan } from './recovery-scan.js';
import { main as ringHandoff } from './ring-handoff.js';
import { main as segmentAppend } from './segment-append.js';

const BENCHES: ReadonlyArray<{ name: string; run: (argv: string[]) => Promise<unknown> }> = [
  { name: 'micro', run: micro },
  { name: 'ring-handoff', run: ringHandoff },
  { name: 'segment-append', run: segmentAppend },
  { name: 'recovery-scan', run: recoveryScan },
  { name: 'broker-startup', run: brokerStartup },
  { name: 'kafka-perf', run: kafkaPerf },
  { name: 'produce-validation', run: produceValidation },
  { name: 'group-rebalance', run: groupRebalance },
  { name: 'offset-commit', run: offsetCommit },
];

export async function main(argv: string[]): Promise<void> {
  const mode = argv.includes('--short') ? 'short' : 'full';
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `fjord benchmarks (${mode}), ${new Date().toISOString()}, node ${process.version}, ${availableParallelism()} x ${cpu}, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
  );
  for (const bench of BENCHES) {
    console.log(`\n== ${bench.name} ==`);
    const startedMs = performance.now();
    await bench.run(argv);
    console.log(`(${bench.name}: ${((performance.now() - startedMs) / 1000).toFixed(1)} s)`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
