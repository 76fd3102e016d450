// Turns one request frame into its response frame: decode, pick the handler, encode. A version Fjord
// does not advertise gets UNSUPPORTED_VERSION: ApiVersions in its v0 error form, other APIs in their own
// shape when the codec can write that version. A handler that throws (or a response that cannot be
// encoded) gets UNKNOWN_SERVER_ERROR in the API's own shape (error-response.ts), logged with the reason,
// and the connection goes on. Versions the codec cannot read, unknown API keys and malformed frames close
// the connection (there is no shape to answer in). Buffers a handler lends (a Fetch's records) go into the
// frame by reference, not copied: the frame is written in parts and the connection hands them back. Counts
// each request and its latency per API in the broker's meters. On a SASL listener, a connection still to
// authenticate may send only ApiVersions, SaslHandshake and SaslAuthenticate (or, after a SaslHandshake v0, raw
// tokens): anything else closes it (sasl-sessions.ts). Runs on the main thread.
import { CloseConnectionError, type ConnectionInfo, type RequestHandler } from '../network/client-connection.js';
import type { ResponseFrame } from '../network/response-frame.js';
import { decodeRequest, encodeResponse, encodeResponseParts, UnsupportedRequestError, type ApiKey, type DecodedRequest } from '../protocol/api-registry.js';
import { ProtocolError } from '../protocol/codec/protocol-error.js';
import { ErrorCode } from '../shared/kafka-error-codes.js';
import type { ApiHandler } from './api-handler.js';
import type { BrokerContext } from './broker-context.js';
import { errorResponseBody } from './error-response.js';
import { advertisedVersions, handlerFor } from './handler-table.js';
import { PRE_AUTHENTICATION_API_KEYS } from './sasl-sessions.js';
import { largeBuffers } from '../buffer-pool.js';

const API_VERSIONS = 18;

/** Large response frames come from the pool; the connection hands them back once written. */
const allocateFrame = (bytes: number): Buffer => largeBuffers.take(bytes);
const NOTHING_LENT: ReadonlySet<Buffer> = new Set();

type HandlerLookup = (apiKey: number) => ApiHandler<ApiKey> | undefined;

/** `lookUp` is the handler table; tests pass their own. */
export function createRequestRouter(ctx: BrokerContext, lookUp: HandlerLookup = handlerFor as HandlerLookup): RequestHandler {
  const requests = ctx.meters.requests;
  return (frame, connection) => {
    if (connection.authenticationPending && ctx.sasl.expectsRawToken(connection)) return ctx.sasl.rawToken(connection, frame);
    let request: DecodedRequest;
    try {
      request = decodeRequest(frame);
    } catch (error) {
      return answerUndecodable(error);
    }
    const startedMs = performance.now();
    const { apiKey, apiVersion, correlationId } = request.header;
    if (connection.authenticationPending && !PRE_AUTHENTICATION_API_KEYS.has(apiKey)) {
      throw new CloseConnectionError(`${request.api.name} request before SASL authentication`, 'authentication', { apiKey, apiVersion });
    }
    requests.receivedRequest(apiKey);
    const handler = lookUp(apiKey);
    if (handler === undefined || apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === API_VERSIONS) return refuseVersion(apiKey, apiVersion, correlationId);
      // The codec read this version, so it can answer in it: the error code, every other field at its default.
      return encodeResponse(apiKey as ApiKey, apiVersion, correlationId, { errorCode: ErrorCode.UNSUPPORTED_VERSION } as never);
    }
    const answer = (body: unknown): ResponseFrame | null => {
      let lent: ReadonlySet<Buffer> = NOTHING_LENT;
      try {
        if (body === null) return null;
        const lendable = handler.lends?.(body as never) ?? null;
        if (lendable === null || lendable.size === 0) return encodeResponse(apiKey as ApiKey, apiVersion, correlationId, body as never, allocateFrame);
        const parts = encodeResponseParts(apiKey as ApiKey, apiVersion, correlationId, body as never, allocateFrame, lendable);
        lent = lendable;
        return { ...parts, lent: [...lendable] };
      } finally {
        if (body !== null) handler.afterEncode?.(body as never, connection, lent);
        requests.answeredRequest(apiKey, performance.now() - startedMs);
      }
    };
    const failed = (error: unknown): Buffer => answerFailure(request, connection, error);
    try {
      const result = handler.handle(ctx, request as never, connection);
      return result instanceof Promise ? result.then(answer).catch(failed) : answer(result);
    } catch (error) {
      return failed(error);
    }
  };
}

/** UNKNOWN_SERVER_ERROR for the request, in its API's shape; the connection stays open. */
function answerFailure(request: DecodedRequest, connection: ConnectionInfo, error: unknown): Buffer {
  if (error instanceof CloseConnectionError) throw error;
  const { apiKey, apiVersion, correlationId } = request.header;
  connection.warn(
    'handler-failed',
    { api: request.api.name, apiVersion, err: error },
    `${request.api.name} request failed; answered UNKNOWN_SERVER_ERROR`,
    'error',
  );
  return encodeResponse(apiKey as ApiKey, apiVersion, correlationId, errorResponseBody(request, ErrorCode.UNKNOWN_SERVER_ERROR) as never);
}

function answerUndecodable(error: unknown): Buffer {
  if (error instanceof UnsupportedRequestError && error.kind === 'unsupported-version') {
    return refuseVersion(error.header.apiKey, error.header.apiVersion, error.header.correlationId);
  }
  if (error instanceof UnsupportedRequestError) {
    const { apiKey, apiVersion } = error.header;
    throw new CloseConnectionError(`unknown API key ${apiKey} (see ApiVersions)`, 'unknown-api', { apiKey, apiVersion });
  }
  if (error instanceof ProtocolError) throw new CloseConnectionError(`malformed request: ${error.message}`, 'malformed-request');
  throw error;
}

/** ApiVersions answers in its v0 form with the supported ranges (KIP-511); other APIs cannot be answered at a version the codec does not read. */
function refuseVersion(apiKey: number, apiVersion: number, correlationId: number): Buffer {
  if (apiKey === API_VERSIONS)
    return encodeResponse(API_VERSIONS, 0, correlationId, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: advertisedVersions() });
  throw new CloseConnectionError(`API ${apiKey} v${apiVersion} is not supported (see ApiVersions)`, 'unsupported-version', { apiKey, apiVersion });
}
