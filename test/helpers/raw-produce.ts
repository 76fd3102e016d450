// Produces one message to exactly the broker meant (no client library choosing a leader or retrying), for cluster
// scenarios that arrange who holds a write: e.g. an acks=1 write only a leader whose followers are frozen takes.
// Test helper.
import { buildRecordBatch } from '../../src/shared/record-batch-codec.js';
import { RawClient } from '../broker/raw-client.js';

/** Produce v9 of one record to `port` (with a key of `keyBytes` filler bytes to make it big, none by default); the partition's error code and base offset. */
export async function produceTo(
  port: number,
  topic: string,
  partition: number,
  value: string,
  acks: 0 | 1 | -1,
  keyBytes = 0,
): Promise<{ errorCode: number; baseOffset: number }> {
  const client = await RawClient.connect('127.0.0.1', port);
  try {
    const records = buildRecordBatch([{ key: keyBytes > 0 ? Buffer.alloc(keyBytes, 'k') : null, value: Buffer.from(value) }]);
    const body = { transactionalId: null, acks, timeoutMs: 10_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
    const answer = (await client.call(0, 9, body)).responses[0]!.partitionResponses[0]!;
    return { errorCode: answer.errorCode, baseOffset: Number(answer.baseOffset) };
  } finally {
    client.close();
  }
}
