// Micro-benchmarks of the hot path's building blocks with tinybench, each on one thread and in memory: CRC-32C
// of a batch, the produce-path records walk, the Kafka codec (decode a Produce request, encode a Fetch
// response), and a ring frame's reserve/commit/peek/release cycle. Runs on the bench's main thread.
// `node dist/bench/micro.js [--short]`
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { decodeRequest, encodeRequest, encodeResponse } from '../src/protocol/api-registry.js';
import { buildRecordBatch } from '../src/shared/record-batch-codec.js';
import { BATCH_HEADER_BYTES, computeBatchCrc } from '../src/shared/record-batch.js';
import { fixed } from '../src/perf/stats.js';
import { SpscRing } from '../src/shared/ring/spsc-ring.js';
import { walkRecords } from '../workers/log/record-walker.js';

const BATCH_BYTES = 1024 * 1024;
const RING_BYTES = 1024 * 1024;
const RING_FRAME_BYTES = 1024;

/** A ~1 MiB uncompressed batch of keyless records of `recordBytes`. */
function batchOf(recordBytes: number): { batch: Buffer; count: number } {
  const count = Math.floor(BATCH_BYTES / (recordBytes + 8));
  const value = Buffer.alloc(recordBytes, 'order id customer status ');
  return { batch: buildRecordBatch(Array.from({ length: count }, () => ({ key: null, value }))), count };
}

function produceRequest(batch: Buffer): Buffer {
  const frame = encodeRequest(0, 9, 1, 'micro', {
    transactionalId: null,
    acks: 1,
    timeoutMs: 30_000,
    topicData: [{ name: 'orders', partitionData: [{ index: 0, records: batch }] }],
  });
  return frame.subarray(4);
}

function fetchResponse(batch: Buffer) {
  const partition = {
    partitionIndex: 0,
    errorCode: 0,
    highWatermark: 1000,
    lastStableOffset: 1000,
    logStartOffset: 0,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: batch,
  };
  return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 'orders', partitions: [partition] }] };
}

export async function main(argv: string[]): Promise<Record<string, number>> {
  const short = argv.includes('--short');
  const timeMs = short ? 100 : 1000;
  const bench = new Bench({ time: timeMs, warmupTime: timeMs / 5 });
  const big = batchOf(1024);
  const small = batchOf(100);
  const request = produceRequest(big.batch);
  const response = fetchResponse(big.batch);
  const ring = SpscRing.create(RING_BYTES);
  bench
    .add('CRC-32C of a 1 MiB batch', () => void computeBatchCrc(big.batch, 0, big.batch.length))
    .add('records walk, 1 MiB of 1 KiB records', () => void walkRecords(big.batch, BATCH_HEADER_BYTES, big.batch.length, big.count, false))
    .add('records walk, 1 MiB of 100 B records', () => void walkRecords(small.batch, BATCH_HEADER_BYTES, small.batch.length, small.count, false))
    .add('decode a Produce v9 request with a 1 MiB batch', () => void decodeRequest(request))
    .add('encode a Fetch v12 response with a 1 MiB batch', () => void encodeResponse(1, 12, 1, response))
    .add(`ring: reserve, commit, peek, release a ${RING_FRAME_BYTES}-byte frame`, () => {
      ring.reserve(RING_FRAME_BYTES);
      ring.commit(1, RING_FRAME_BYTES);
      ring.peek();
      ring.release();
    });
  await bench.run();
  const figures: Record<string, number> = {};
  console.log(`micro (${short ? 'short' : 'full'}): tinybench, ${timeMs} ms per task; median time per call, and MB/s where a call handles 1 MiB`);
  for (const task of bench.tasks) {
    const result = task.result;
    const medianMs = result !== undefined && 'latency' in result ? result.latency.p50 : Number.NaN;
    figures[`micro.${task.name}.medianUs`] = medianMs * 1000;
    const rate = task.name.includes('1 MiB') ? `, ${fixed(BATCH_BYTES / 1e6 / (medianMs / 1000))} MB/s` : '';
    console.log(`  ${task.name}: ${fixed(medianMs * 1000, 2)} µs${rate}`);
  }
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
