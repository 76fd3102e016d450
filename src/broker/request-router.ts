// Turns one request frame into its response frame: decode, pick the handler, encode. A version Fjord
// does not advertise gets UNSUPPORTED_VERSION: ApiVersions in its v0 error form, other APIs in their own
// shape when the codec can write that version. Versions the codec cannot read, unknown API keys and
// malformed frames close the connection (there is no shape to answer in). Counts each request and its
// latency per API in the broker's meters. Runs on the main thread.
import { CloseConnectionError, type RequestHandler } from '../network/client-connection.js';
import { decodeRequest, encodeResponse, UnsupportedRequestError, type ApiKey, type DecodedRequest } from '../protocol/api-registry.js';
import { ProtocolError } from '../protocol/codec/protocol-error.js';
import { ErrorCode } from '../shared/kafka-error-codes.js';
import type { BrokerContext } from './broker-context.js';
import { advertisedVersions, handlerFor } from './handler-table.js';
import { largeBuffers } from '../buffer-pool.js';

const API_VERSIONS = 18;

/** Large response frames come from the pool; the connection hands them back once written. */
const allocateFrame = (bytes: number): Buffer => largeBuffers.take(bytes);

export function createRequestRouter(ctx: BrokerContext): RequestHandler {
  const requests = ctx.meters.requests;
  return (frame, connection) => {
    let request: DecodedRequest;
    try {
      request = decodeRequest(frame);
    } catch (error) {
      return answerUndecodable(error);
    }
    const startedMs = performance.now();
    const { apiKey, apiVersion, correlationId } = request.header;
    requests.receivedRequest(apiKey);
    const handler = handlerFor(apiKey);
    if (handler === undefined || apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === API_VERSIONS) return refuseVersion(apiKey, apiVersion, correlationId);
      // The codec read this version, so it can answer in it: the error code, every other field at its default.
      return encodeResponse(apiKey as ApiKey, apiVersion, correlationId, { errorCode: ErrorCode.UNSUPPORTED_VERSION } as never);
    }
    const result = handler.handle(ctx, request as never, connection);
    const answer = (body: unknown): Buffer | null => {
      try {
        return body === null ? null : encodeResponse(apiKey as ApiKey, apiVersion, correlationId, body as never, allocateFrame);
      } finally {
        if (body !== null) handler.afterEncode?.(body as never);
        requests.answeredRequest(apiKey, performance.now() - startedMs);
      }
    };
    return result instanceof Promise ? result.then(answer) : answer(result);
  };
}

function answerUndecodable(error: unknown): Buffer {
  if (error instanceof UnsupportedRequestError && error.kind === 'unsupported-version') {
    return refuseVersion(error.header.apiKey, error.header.apiVersion, error.header.correlationId);
  }
  if (error instanceof ProtocolError) throw new CloseConnectionError(`malformed request: ${error.message}`);
  throw error;
}

/** ApiVersions answers in its v0 form with the supported ranges (KIP-511); other APIs cannot be answered at a version the codec does not read. */
function refuseVersion(apiKey: number, apiVersion: number, correlationId: number): Buffer {
  if (apiKey === API_VERSIONS) return encodeResponse(API_VERSIONS, 0, correlationId, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: advertisedVersions() });
  throw new CloseConnectionError(`API ${apiKey} v${apiVersion} is not supported (see ApiVersions)`);
}
