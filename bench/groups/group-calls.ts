// One typed request over a bench KafkaConnection: encode with Fjord's codec, wait for the answer, decode it.
// For the group benches' control requests (join, sync, heartbeat, leave, fetch), one at a time per
// connection; pipelined loads use KafkaConnection.sendFrame directly. Runs on the bench's main thread.
import { type ApiKey, decodeResponse, encodeRequest, type RequestInput } from '../../src/protocol/api-registry.js';
import { CLIENT_ID } from '../perf/admin.js';
import type { KafkaConnection } from '../perf/kafka-connection.js';

export async function call<K extends ApiKey>(connection: KafkaConnection, apiKey: K, apiVersion: number, body: RequestInput<K>) {
  const frame = encodeRequest(apiKey, apiVersion, 0, CLIENT_ID, body);
  return decodeResponse(apiKey, apiVersion, await connection.request(frame)).body;
}

/** FindCoordinator v3 for `groupId`: the first one creates __consumer_offsets (every partition) on the broker. */
export async function findCoordinator(connection: KafkaConnection, groupId: string): Promise<void> {
  const found = await call(connection, 10, 3, { key: groupId, keyType: 0 });
  if (found.errorCode !== 0) throw new Error(`FindCoordinator ${groupId}: error ${found.errorCode} ${found.errorMessage ?? ''}`);
}
