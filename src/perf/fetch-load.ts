// The consuming side of the load generators (`fjord perf consume`, bench/kafka-perf.ts): reads partitions from
// offset 0 to their end with Fetch, one stream per partition, the streams spread over the connections (several
// fetches in flight per connection). Runs on the caller's main thread; records are counted from batch headers,
// never decoded.
import type { KafkaConnection } from '../client/kafka-connection.js';
import { decodeResponse, encodeRequest } from '../protocol/api-registry.js';
import { BatchField, batchSizeAt, lastOffsetAt, LOG_OVERHEAD_BYTES } from '../shared/record-batch.js';
import { LOAD_CLIENT_ID } from './load-connections.js';

export const FETCH_VERSION = 12;
const FETCH_MAX_WAIT_MS = 500;

export interface FetchOptions {
  topic: string;
  /** Offset each partition is read up to (its log end offset). */
  endOffsets: readonly number[];
  partitionMaxBytes: number;
  maxBytes: number;
  durationMaxMs: number;
}

export interface FetchResult {
  records: number;
  /** record batch bytes received */
  batchBytes: number;
  requests: number;
  elapsedMs: number;
}

/** Counts the whole batches in `records` and returns the offset after the last one (or `offset` if none). */
function countBatches(records: Buffer, offset: number, totals: FetchResult): number {
  let next = offset;
  for (let at = 0; at + LOG_OVERHEAD_BYTES <= records.length; ) {
    const size = batchSizeAt(records, at);
    if (at + size > records.length) break;
    totals.records += records.readInt32BE(at + BatchField.RECORDS_COUNT);
    totals.batchBytes += size;
    next = lastOffsetAt(records, at) + 1;
    at += size;
  }
  return next;
}

function fetchFrame(options: FetchOptions, partition: number, fetchOffset: number): Buffer {
  return encodeRequest(1, FETCH_VERSION, 0, LOAD_CLIENT_ID, {
    replicaId: -1,
    maxWaitMs: FETCH_MAX_WAIT_MS,
    minBytes: 1,
    maxBytes: options.maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: options.topic, partitions: [{ partition, fetchOffset, partitionMaxBytes: options.partitionMaxBytes }] }],
    forgottenTopicsData: [],
    rackId: '',
  });
}

/** Reads every partition from 0 to its end offset (or until the time bound). */
export function fetchAll(connections: readonly KafkaConnection[], options: FetchOptions): Promise<FetchResult> {
  const totals: FetchResult = { records: 0, batchBytes: 0, requests: 0, elapsedMs: 0 };
  return new Promise((resolve, reject) => {
    const startedMs = performance.now();
    let streamsOpen = options.endOffsets.length;
    const finishStream = (): void => {
      if (--streamsOpen === 0) resolve({ ...totals, elapsedMs: performance.now() - startedMs });
    };
    const fetchFrom = (connection: KafkaConnection, partition: number, offset: number): void => {
      if (offset >= options.endOffsets[partition]! || performance.now() - startedMs >= options.durationMaxMs) return finishStream();
      totals.requests++;
      connection.sendFrame(fetchFrame(options, partition, offset), (frame) => {
        const answer = decodeResponse(1, FETCH_VERSION, frame).body.responses[0]?.partitions[0];
        if (answer === undefined || answer.errorCode !== 0)
          return reject(new Error(`fetch ${options.topic}-${partition}@${offset}: error ${answer?.errorCode}`));
        const next = countBatches(answer.records ?? Buffer.alloc(0), offset, totals);
        if (next === offset && offset < answer.highWatermark)
          return reject(new Error(`fetch ${options.topic}-${partition}@${offset}: no whole batch below the high watermark`));
        fetchFrom(connection, partition, next);
      });
    };
    for (const connection of connections) connection.whenFailed(reject);
    options.endOffsets.forEach((_, partition) => {
      fetchFrom(connections[partition % connections.length]!, partition, 0);
    });
  });
}
