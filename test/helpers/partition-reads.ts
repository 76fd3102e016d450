// Reads one partition's records two ways for cluster scenarios: from its leader as a fresh consumer would (Fetch
// v12 from offset 0 up to the high watermark, raw so the broker asked is exactly the one meant), and from one
// replica's partition folder on disk (its segment files, through the segment reader of `fjord dump-segment`), so
// the logs of every replica can be compared, a frozen broker's included. Test helper.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSegment } from '../../src/cli/segment-reader.js';
import { decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { partitionDir } from '../../src/shared/partition-folder.js';
import { RawClient } from '../broker/raw-client.js';
import type { PartitionLog } from './scenario-model.js';

const FETCH_BYTES_MAX = 8 * 1024 * 1024;

/** What the leader serves a consumer: its committed records and high watermark; null on any error (not the leader, not answering). */
export async function fetchCommitted(port: number, topic: string, partition: number): Promise<{ log: PartitionLog; highWatermark: number } | null> {
  let client: RawClient | null = null;
  try {
    client = await RawClient.connect('127.0.0.1', port);
    const log: PartitionLog = [];
    for (let fetchOffset = 0; ; ) {
      const answer = await client.call(1, 12, fetchBody(topic, partition, fetchOffset));
      const part = answer.responses[0]?.partitions[0];
      if (part === undefined || part.errorCode !== 0) return null;
      const records = decodeRecordBatches(Buffer.from(part.records ?? Buffer.alloc(0))).filter((r) => r.offset >= fetchOffset);
      for (const r of records) log.push({ offset: r.offset, value: r.value?.toString() ?? '' });
      const highWatermark = Number(part.highWatermark);
      const next = records.length === 0 ? fetchOffset : records[records.length - 1]!.offset + 1;
      if (next >= highWatermark) return { log: log.filter((r) => r.offset < highWatermark), highWatermark };
      if (next === fetchOffset) return null;
      fetchOffset = next;
    }
  } catch {
    return null;
  } finally {
    client?.close();
  }
}

function fetchBody(topic: string, partition: number, fetchOffset: number) {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: FETCH_BYTES_MAX,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      { topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: FETCH_BYTES_MAX }] },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

/** Every data record in one replica's partition folder (all its segments, control batches left out), in offset order. */
export async function readReplicaLog(logDir: string, topic: string, partition: number): Promise<PartitionLog> {
  const dir = partitionDir(logDir, topic, partition);
  const segments = readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .sort();
  const log: PartitionLog = [];
  for (const name of segments) {
    await readSegment(join(dir, name), async (batch) => {
      if (batch.isControl) return;
      for (const r of decodeRecordBatches(batch.bytes)) log.push({ offset: r.offset, value: r.value?.toString() ?? '' });
    });
  }
  return log;
}
