// The shape of a request handler and of its entry in the broker's API table: which versions Fjord
// advertises for an API and the function that turns a decoded request into a response body (or null
// when no response is owed). Runs on the main thread.
import type { ApiKey, DecodedRequest, ResponseInput } from '../protocol/api-registry.js';
import type { ConnectionInfo } from '../network/client-connection.js';
import type { BrokerContext } from './broker-context.js';

export type RequestOfKey<K extends ApiKey> = Extract<DecodedRequest, { apiKey: K }>;

export type HandlerResult<K extends ApiKey> = ResponseInput<K> | null;

export interface ApiHandler<K extends ApiKey> {
  apiKey: K;
  /** Advertised in ApiVersions; must lie within the codec's range for the API. */
  minVersion: number;
  maxVersion: number;
  /** `connection` says who asked (the group coordinator records the client's address). */
  handle(ctx: BrokerContext, request: RequestOfKey<K>, connection: ConnectionInfo): HandlerResult<K> | Promise<HandlerResult<K>>;
  /**
   * Buffers in `body` the response frame may carry by reference instead of a copy (each held against the
   * connection's memory at its pooled size): the connection gives them back once the socket has written them.
   */
  lends?(body: ResponseInput<K>): ReadonlySet<Buffer> | null;
  /**
   * Called once the response holding `body` is encoded (or failed to encode): buffers the body lent may be
   * reused, memory it held released, except those in `lent`, which the response frame now owns.
   */
  afterEncode?(body: ResponseInput<K>, connection: ConnectionInfo, lent: ReadonlySet<Buffer>): void;
}

/** Keeps `apiKey` and the handler's request/response types tied together. */
export function defineHandler<K extends ApiKey>(handler: ApiHandler<K>): ApiHandler<K> {
  return handler;
}
