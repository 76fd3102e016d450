// A handler that throws, synchronously or by rejecting, is answered with UNKNOWN_SERVER_ERROR in its API's
// own response shape (each topic, partition or group the request named gets the code), logged with the
// reason, and the connection goes on serving; CloseConnectionError still closes. The router runs behind a
// real listener, reached over a loopback socket.
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiHandler } from '../../src/broker/api-handler.js';
import type { BrokerContext } from '../../src/broker/broker-context.js';
import { handlerFor } from '../../src/broker/handler-table.js';
import { createRequestRouter } from '../../src/broker/request-router.js';
import { CloseConnectionError } from '../../src/network/client-connection.js';
import { ClientWarnings } from '../../src/network/client-warnings.js';
import { KafkaListener } from '../../src/network/kafka-listener.js';
import { ConnectionQuotas } from '../../src/network/connection-quotas.js';
import { ResponseMemoryBudget } from '../../src/network/response-memory.js';
import { HotPathMeters } from '../../src/observability/hot-path-meters.js';
import type { ApiKey } from '../../src/protocol/api-registry.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { RawClient } from './raw-client.js';

const listeners: KafkaListener[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener.close();
});

/** A handler for `apiKey` over the real one's versions, whose handle() is `handle`. */
function failing(apiKey: ApiKey, handle: () => unknown): ApiHandler<ApiKey> {
  const real = handlerFor(apiKey)!;
  return { apiKey, minVersion: real.minVersion, maxVersion: real.maxVersion, handle: handle as never };
}

async function start(overrides: Array<ApiHandler<ApiKey>>) {
  const { logger, lines } = captureLogger();
  const ctx = { meters: new HotPathMeters(10), logger } as unknown as BrokerContext;
  const router = createRequestRouter(ctx, (apiKey) => overrides.find((h) => h.apiKey === apiKey) ?? (handlerFor(apiKey) as ApiHandler<ApiKey> | undefined));
  const limits = { maxFrameBytes: 1 << 20, maxInFlightRequests: 10, idleTimeoutMs: 60_000, requestReadTimeoutMs: 60_000, unsentBytesMax: 1 << 20 };
  const listener = new KafkaListener(
    { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, tls: null, authenticationTimeoutMs: null, ...limits },
    router,
    new ResponseMemoryBudget(64 << 20),
    new ClientWarnings(logger),
    new ConnectionQuotas({ maxConnections: 10, maxConnectionsPerIp: 10, perIpOverrides: new Map() }),
  );
  listeners.push(listener);
  const address = await listener.listen();
  return { client: await RawClient.connect(address.host, address.port), lines };
}

const apiVersions = { clientSoftwareName: 'router-test', clientSoftwareVersion: '1' };

describe('a handler that throws', () => {
  it('is answered with UNKNOWN_SERVER_ERROR in its own shape, logged, and the connection stays usable', async () => {
    const { client, lines } = await start([
      failing(0, () => {
        throw new Error('disk on fire');
      }),
      failing(19, () => Promise.reject(new Error('metadata file not written'))),
      failing(3, () => {
        throw new TypeError('cannot read properties of undefined');
      }),
    ]);
    const produced = await client.call(0, 9, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [
        {
          name: 'orders',
          partitionData: [
            { index: 0, records: null },
            { index: 3, records: null },
          ],
        },
      ],
    });
    expect(produced.responses.map((t) => [t.name, t.partitionResponses.map((p) => [p.index, p.errorCode])])).toEqual([
      [
        'orders',
        [
          [0, ErrorCode.UNKNOWN_SERVER_ERROR],
          [3, ErrorCode.UNKNOWN_SERVER_ERROR],
        ],
      ],
    ]);

    const created = await client.call(19, 5, {
      topics: [
        { name: 'a', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'b', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(created.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['a', ErrorCode.UNKNOWN_SERVER_ERROR],
      ['b', ErrorCode.UNKNOWN_SERVER_ERROR],
    ]);

    const metadata = await client.call(3, 12, {
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'orders' }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(metadata.topics.map((t) => [t.name, t.errorCode])).toEqual([['orders', ErrorCode.UNKNOWN_SERVER_ERROR]]);
    expect(metadata.brokers).toEqual([]);

    // The same connection still answers.
    expect((await client.call(18, 3, apiVersions)).errorCode).toBe(ErrorCode.NONE);
    const failures = lines.filter((l) => l.kind === 'handler-failed');
    expect(failures.map((l) => [l.msg, l.level])).toEqual([['Produce request failed; answered UNKNOWN_SERVER_ERROR', 50]]);
    expect((failures[0]!.err as { message: string }).message).toBe('disk on fire');
    client.close();
  });

  it("a version the codec reads but the handler does not advertise: UNSUPPORTED_VERSION in the API's own shape, connection kept", async () => {
    // ListOffsets advertised as v1-6 only: v7's shape has only per-partition errors, so the answer is the
    // response with no topics. (A version the codec cannot read closes the connection.)
    const narrowed = { ...handlerFor(2)!, minVersion: 1, maxVersion: 6 } as ApiHandler<ApiKey>;
    const { client } = await start([narrowed]);
    const listOffsets = await client.call(2, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'nope', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    });
    expect(listOffsets.topics).toEqual([]);
    expect((await client.call(18, 3, apiVersions)).errorCode).toBe(ErrorCode.NONE);
    client.close();
  });

  it('closes the connection when it throws CloseConnectionError', async () => {
    const { client, lines } = await start([
      failing(18, () => {
        throw new CloseConnectionError('acks=0 produce failed', 'closed');
      }),
    ]);
    await expect(Promise.race([client.call(18, 3, apiVersions), client.closed()])).resolves.toBe('closed');
    expect(lines.filter((l) => l.kind === 'closed').map((l) => l.msg)).toEqual(['closing connection: acks=0 produce failed']);
  });
});
