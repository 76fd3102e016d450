// A loopback Kafka "broker" for capturing golden frames: it records every request frame a real client sends and
// answers just enough for the client to go on (ApiVersions advertising the registry ranges, Metadata and
// FindCoordinator pointing back at itself, SaslHandshake accepting the mechanism), all encoded by Fjord's own
// codec. Test helper only.
import { createServer, type Server, type Socket } from 'node:net';
import { decodeRequest, encodeResponse, supportedVersions, UnsupportedRequestError, type DecodedRequest } from '../../../src/protocol/api-registry.js';

export interface CapturedFrame {
  apiKey: number;
  apiVersion: number;
  /** The request frame without its 4-byte size prefix (what decodeRequest takes). */
  frame: Buffer;
}

export interface CaptureServer {
  readonly port: number;
  readonly frames: CapturedFrame[];
  /** Resolves with the first frame of `apiKey` (already captured or still to come). */
  waitFor(apiKey: number, timeoutMs?: number): Promise<CapturedFrame>;
  close(): Promise<void>;
}

export interface CaptureOptions {
  /** API keys after whose request the connection is dropped (the client gets an error, the frame is kept). */
  dropAfter?: number[];
}

const NODE_ID = 1;
const TOPIC_ID = Buffer.alloc(16, 7).toString('base64url');

function metadataAnswer(request: Extract<DecodedRequest, { apiKey: 3 }>, port: number): Buffer {
  const names = (request.body.topics ?? []).map((topic) => topic.name ?? 'unnamed');
  const topics = names.map((name) => ({
    errorCode: 0,
    name,
    topicId: TOPIC_ID,
    partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: NODE_ID, leaderEpoch: 0, replicaNodes: [NODE_ID], isrNodes: [NODE_ID] }],
  }));
  const body = { brokers: [{ nodeId: NODE_ID, host: '127.0.0.1', port }], clusterId: 'fjord-golden', controllerId: NODE_ID, topics };
  return encodeResponse(3, request.header.apiVersion, request.header.correlationId, body);
}

function findCoordinatorAnswer(request: Extract<DecodedRequest, { apiKey: 10 }>, port: number): Buffer {
  const { apiVersion, correlationId } = request.header;
  const coordinators = request.body.coordinatorKeys.map((key) => ({ key, nodeId: NODE_ID, host: '127.0.0.1', port, errorCode: 0 }));
  const body = { errorCode: 0, errorMessage: null, nodeId: NODE_ID, host: '127.0.0.1', port, coordinators };
  return encodeResponse(10, apiVersion, correlationId, body);
}

/** The answer to a decoded request, or null to stay silent. */
function answer(request: DecodedRequest, port: number): Buffer | null {
  switch (request.apiKey) {
    case 18:
      return encodeResponse(18, request.header.apiVersion, request.header.correlationId, {
        errorCode: 0,
        apiKeys: supportedVersions(),
        throttleTimeMs: 0,
      });
    case 3:
      return metadataAnswer(request, port);
    case 10:
      return findCoordinatorAnswer(request, port);
    case 17:
      return encodeResponse(17, request.header.apiVersion, request.header.correlationId, { errorCode: 0, mechanisms: [request.body.mechanism] });
    default:
      return null;
  }
}

function answerUnsupported(error: unknown): Buffer | null {
  if (!(error instanceof UnsupportedRequestError) || error.header.apiKey !== 18) return null;
  const apiKeys = [{ apiKey: 18, minVersion: 0, maxVersion: 3 }];
  return encodeResponse(18, 0, error.header.correlationId, { errorCode: 35, apiKeys });
}

export async function startCaptureServer(options: CaptureOptions = {}): Promise<CaptureServer> {
  const frames: CapturedFrame[] = [];
  const waiters: Array<{ apiKey: number; resolve: (frame: CapturedFrame) => void }> = [];
  const sockets = new Set<Socket>();
  let port = 0;

  function record(frame: Buffer): CapturedFrame {
    const captured = { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), frame: Buffer.from(frame) };
    frames.push(captured);
    for (const waiter of waiters.filter((w) => w.apiKey === captured.apiKey)) waiter.resolve(captured);
    return captured;
  }

  function handleFrame(socket: Socket, frame: Buffer): void {
    const captured = record(frame);
    let reply: Buffer | null;
    try {
      reply = answer(decodeRequest(frame), port);
    } catch (error) {
      reply = answerUnsupported(error);
    }
    if (options.dropAfter?.includes(captured.apiKey)) socket.destroy();
    else if (reply !== null) socket.write(reply);
  }

  function onConnection(socket: Socket): void {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const size = pending.readInt32BE(0);
        handleFrame(socket, pending.subarray(4, 4 + size));
        pending = pending.subarray(4 + size);
      }
    });
  }

  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;

  return {
    port,
    frames,
    waitFor(apiKey, timeoutMs = 10_000) {
      const seen = frames.find((frame) => frame.apiKey === apiKey);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no request with API key ${apiKey} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          apiKey,
          resolve: (frame) => {
            clearTimeout(timer);
            resolve(frame);
          },
        });
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
