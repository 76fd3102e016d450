// The librdkafka programs of the benchmarks (rdkafka-consumer.c, rdkafka-producer.c, sharing rdkafka-common.h): compiled on first use with
// the system's C compiler against Debian's librdkafka-dev into dist/bench/perf/, then run as a child process per
// measurement, each printing one JSON line. Missing compiler or library: a one-line error naming the Debian
// package, never a silent skip. Runs on the bench's main thread; the programs run in their own processes.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const HEADER = '/usr/include/librdkafka/rdkafka.h';
export type RdkafkaProgram = 'rdkafka-consumer' | 'rdkafka-producer';

/** What rdkafka-consumer prints. */
export interface RdkafkaConsumerRun {
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

/** What rdkafka-producer prints: latencies from produce() to the delivery report, in ms. */
export interface RdkafkaProducerRun {
  records: number;
  /** first send to the last delivery report */
  elapsedMs: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** how far the sends fell behind the schedule at most */
  lagMaxMs: number;
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

/** Builds the program unless an up-to-date binary exists; throws a one-line message naming what to install. */
export function buildRdkafkaProgram(program: RdkafkaProgram): string {
  const source = fileURLToPath(new URL(`../../../bench/perf/${program}.c`, import.meta.url));
  const sharedHeader = fileURLToPath(new URL('../../../bench/perf/rdkafka-common.h', import.meta.url));
  const binary = fileURLToPath(new URL(`./${program}`, import.meta.url));
  const newestSourceMs = Math.max(statSync(source).mtimeMs, statSync(sharedHeader).mtimeMs);
  if (existsSync(binary) && statSync(binary).mtimeMs >= newestSourceMs) return binary;
  const cc = compilerOrNull();
  if (cc === null) throw new Error('librdkafka bench: no C compiler (cc); install the Debian package gcc ("apt-get install -y gcc")');
  if (!existsSync(HEADER))
    throw new Error(`librdkafka bench: ${HEADER} missing; install the Debian package librdkafka-dev ("apt-get install -y librdkafka-dev")`);
  execFileSync(cc, ['-O2', '-Wall', '-o', binary, source, '-lrdkafka'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return binary;
}

/** Runs a built program with `args` and librdkafka `config` (key=value arguments); resolves its JSON line. */
export function runRdkafkaProgram<T>(binary: string, args: readonly string[], config: Readonly<Record<string, string>>, timeoutMs: number): Promise<T> {
  const all = [...args, ...Object.entries(config).map(([k, v]) => `${k}=${v}`)];
  return new Promise((resolve, reject) => {
    const child = spawn(binary, all, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${binary} ${all.join(' ')}: exit ${code} ${signal ?? ''}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as T);
      } catch {
        reject(new Error(`${binary}: unreadable output ${JSON.stringify(stdout)}\n${stderr}`));
      }
    });
  });
}
