// `fjord broker start`: registers the command; its arguments go untouched to broker-start.ts (the same
// parser and signal handling as `node dist/src/main.js`), loaded only when used. Runs on the main thread.
import type { Command } from 'commander';

export function registerBroker(program: Command, rawArgsAfterStart: () => string[]): void {
  const broker = program.command('broker').description('run a Fjord broker');
  broker
    .command('start')
    .description('start a standalone broker in the foreground (--config FILE, --set key=value; see --help)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[options...]', 'see fjord broker start --help')
    .action(async () => {
      const { runBrokerStart } = await import('./broker-start.js');
      await runBrokerStart(rawArgsAfterStart());
    });
}
