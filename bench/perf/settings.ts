// Command-line settings of the Kafka perf tool (bench/kafka-perf.ts), with the full and --short defaults.
// Every run is bounded in bytes (or records) and in time. Runs on the bench's main thread.
import { parseArgs } from 'node:util';

export const SECTIONS = ['produce', 'latency', 'consume', 'kcat'] as const;
export type Section = (typeof SECTIONS)[number];

export interface PerfSettings {
  short: boolean;
  sections: ReadonlySet<Section>;
  recordSizes: readonly number[];
  partitions: number;
  connections: number;
  inFlightPerConnection: number;
  reps: number;
  /** Largest record batch the pool builds; the broker's message.max.bytes is 1 MiB + 12. */
  batchBytesMax: number;
  produceBytesMax: number;
  produceDurationMaxMs: number;
  warmupBytesMax: number;
  warmupDurationMaxMs: number;
  latencyBytesPerSecond: number;
  latencyBatchBytesMax: number;
  latencyDurationMs: number;
  fetchPartitionMaxBytes: number;
  fetchMaxBytes: number;
  consumeDurationMaxMs: number;
  /** kcat records per run (-P lines, -C -c count), by record size: half of produceBytesMax of values, at most KCAT_RECORDS_MAX. */
  kcatRecords: (recordBytes: number) => number;
  kcatTimeoutMs: number;
  /** When set, each broker child runs with --cpu-prof and writes its profiles here. */
  cpuProfDir: string | undefined;
}

const MIB = 1024 * 1024;
/** kcat spends about 1 µs of its own CPU per record; this keeps a 100-byte-record run to a few seconds. */
const KCAT_RECORDS_MAX = 2_500_000;

function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export function parseSettings(argv: readonly string[]): PerfSettings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      short: { type: 'boolean' },
      only: { type: 'string' },
      'record-bytes': { type: 'string' },
      connections: { type: 'string' },
      'in-flight': { type: 'string' },
      reps: { type: 'string' },
      'fetch-partition-bytes': { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
    },
    strict: true,
  });
  const short = values.short === true;
  const sections = (list(values.only) ?? [...SECTIONS]).map((name) => {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only: unknown section "${name}" (${SECTIONS.join(', ')})`);
    return name as Section;
  });
  const produceBytesMax = short ? 150e6 : 2e9;
  return {
    short,
    sections: new Set(sections),
    recordSizes: (list(values['record-bytes']) ?? ['1024', '100']).map(Number),
    partitions: 6,
    connections: Number(values.connections ?? 3),
    inFlightPerConnection: Number(values['in-flight'] ?? 4),
    reps: Number(values.reps ?? (short ? 1 : 3)),
    batchBytesMax: MIB,
    produceBytesMax,
    produceDurationMaxMs: short ? 1500 : 10_000,
    warmupBytesMax: short ? 30e6 : 300e6,
    warmupDurationMaxMs: short ? 300 : 1000,
    latencyBytesPerSecond: 50e6,
    latencyBatchBytesMax: 64 * 1024,
    latencyDurationMs: short ? 1500 : 10_000,
    fetchPartitionMaxBytes: Number(values['fetch-partition-bytes'] ?? MIB),
    fetchMaxBytes: 64 * MIB,
    consumeDurationMaxMs: short ? 2000 : 10_000,
    kcatRecords: (recordBytes) => Math.min(KCAT_RECORDS_MAX, Math.round(produceBytesMax / 2 / recordBytes / 1024) * 1024),
    kcatTimeoutMs: short ? 30_000 : 120_000,
    cpuProfDir: values['cpu-prof-dir'],
  };
}
