// The librdkafka consumer of the benchmarks (rdkafka-consumer.c): compiled on first use with the system's C
// compiler against Debian's librdkafka-dev into dist/bench/perf/, then run as a child process per measurement.
// Missing compiler or library: a one-line error naming the Debian package, never a silent skip.
// Runs on the bench's main thread; the consumer runs in its own process.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('../../../bench/perf/rdkafka-consumer.c', import.meta.url));
const BINARY = fileURLToPath(new URL('./rdkafka-consumer', import.meta.url));
const HEADER = '/usr/include/librdkafka/rdkafka.h';

export interface RdkafkaRun {
  records: number;
  /** key + value bytes received */
  bytes: number;
  /** spawn to the first record (connect, metadata, first fetch) */
  firstMs: number;
  /** first record to the last */
  elapsedMs: number;
  /** the consumer's own user + system CPU seconds */
  cpuSeconds: number;
}

function compilerOrNull(): string | null {
  for (const cc of ['cc', 'gcc']) {
    try {
      execFileSync(cc, ['--version'], { stdio: 'ignore' });
      return cc;
    } catch {}
  }
  return null;
}

/** Builds the consumer unless an up-to-date binary exists; throws a one-line message naming what to install. */
export function buildRdkafkaConsumer(): string {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return BINARY;
  const cc = compilerOrNull();
  if (cc === null) throw new Error('librdkafka bench: no C compiler (cc); install the Debian package gcc ("apt-get install -y gcc")');
  if (!existsSync(HEADER))
    throw new Error(`librdkafka bench: ${HEADER} missing; install the Debian package librdkafka-dev ("apt-get install -y librdkafka-dev")`);
  execFileSync(cc, ['-O2', '-Wall', '-o', BINARY, SOURCE, '-lrdkafka'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return BINARY;
}

/** Reads `records` records from partitions 0..partitions-1 of `topic` from the beginning, with extra librdkafka `config`. */
export function runRdkafkaConsumer(
  binary: string,
  bootstrap: string,
  topic: string,
  partitions: number,
  records: number,
  config: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<RdkafkaRun> {
  const args = [bootstrap, topic, String(partitions), String(records), ...Object.entries(config).map(([k, v]) => `${k}=${v}`)];
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`rdkafka-consumer ${args.join(' ')}: exit ${code} ${signal ?? ''}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as RdkafkaRun);
      } catch {
        reject(new Error(`rdkafka-consumer: unreadable output ${JSON.stringify(stdout)}\n${stderr}`));
      }
    });
  });
}
