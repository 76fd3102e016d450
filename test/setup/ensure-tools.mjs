// Makes sure the tools the integration tests and the short benches need but npm cannot install are present:
// kcat (librdkafka's command-line client), a C compiler and librdkafka's headers (the librdkafka consumer of
// bench/librdkafka-consume.ts) etcd (the cluster tests) and openssl (the TLS tests' certificates). Installs them with apt-get when possible; otherwise stops the test run with a message
// naming what is missing. Called by `npm test` before vitest. Never skips silently.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function have(command) {
  if (command.startsWith('/')) return existsSync(command);
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function install(debianPackage) {
  const asRoot = process.getuid?.() === 0;
  const apt = ['apt-get', 'install', '-y', '-q', debianPackage];
  const run = (args) =>
    execFileSync(asRoot ? args[0] : 'sudo', asRoot ? args.slice(1) : args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!have('apt-get') || (!asRoot && !have('sudo'))) return false;
  try {
    run(['apt-get', 'update', '-q']);
    run(apt);
    return true;
  } catch {
    return false;
  }
}

const needed = [
  { command: 'kcat', debianPackage: 'kcat', why: 'the librdkafka client in the integration tests' },
  { command: 'cc', debianPackage: 'gcc', why: 'building the librdkafka consumer of bench/librdkafka-consume.ts' },
  { command: '/usr/include/librdkafka/rdkafka.h', debianPackage: 'librdkafka-dev', why: 'building the librdkafka consumer of bench/librdkafka-consume.ts' },
  { command: 'etcd', debianPackage: 'etcd-server', why: 'the etcd server the cluster tests (test/cluster/) coordinate through' },
  { command: 'openssl', debianPackage: 'openssl', why: 'making the certificates of the TLS listener tests (test/helpers/tls-certs.ts)' },
];
const missing = [];
for (const tool of needed) {
  if (have(tool.command)) continue;
  console.log(`${tool.command} is missing; installing the Debian package ${tool.debianPackage}`);
  if (!install(tool.debianPackage) || !have(tool.command)) missing.push(tool);
}
if (missing.length > 0) {
  for (const tool of missing) console.error(`fjord tests: ${tool.command} is required (${tool.why}); install it, e.g. "apt-get install ${tool.debianPackage}"`);
  process.exit(1);
}
