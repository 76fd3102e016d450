// A connection to one broker that knows which API versions it serves: each call goes out at the highest
// version both sides speak and comes back decoded. Over one KafkaConnection (kafka-connection.ts), which a
// load generator may also drive directly. Runs on the caller's main thread.
import { type ApiKey, type ApiOf, apiByKey, decodeResponse, type RequestInput } from '../protocol/api-registry.js';
import type { MessageValue } from '../protocol/schema/types.js';
import { type BrokerVersions, commonRange, fetchBrokerVersions } from './api-versions.js';
import { KafkaConnection, type KafkaConnectionOptions } from './kafka-connection.js';
import { UnsupportedApiError } from './kafka-errors.js';

export type ResponseBody<K extends ApiKey> = MessageValue<ApiOf<K>['response']>;

export interface ConnectionOptions extends Partial<KafkaConnectionOptions> {
  requestTimeoutMs: number;
}

export interface CallOptions {
  /** Lowest version the caller can use (it needs a field that came later). */
  minVersion?: number;
  /** Highest version the caller knows how to fill. */
  maxVersion?: number;
  /** Time to wait for the answer beyond the connection's request timeout (a long-poll fetch's max wait). */
  extraTimeoutMs?: number;
}

export class BrokerConnection {
  private constructor(
    /** The connection itself, for pipelined requests (load generators). */
    readonly connection: KafkaConnection,
    readonly brokerVersions: BrokerVersions,
    private readonly requestTimeoutMs: number,
  ) {}

  static async open(host: string, port: number, options: ConnectionOptions): Promise<BrokerConnection> {
    const connection = await KafkaConnection.open(host, port, options);
    try {
      return new BrokerConnection(connection, await fetchBrokerVersions(connection, options.requestTimeoutMs), options.requestTimeoutMs);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  get address(): string {
    return this.connection.address;
  }

  get closed(): boolean {
    return this.connection.closed;
  }

  /** The version a call of `apiKey` will use: the highest both sides speak within the caller's limits. */
  version(apiKey: ApiKey, options: CallOptions = {}): number {
    const name = apiByKey(apiKey)?.name ?? `API ${apiKey}`;
    const common = commonRange(apiKey, this.brokerVersions);
    if (common === null) {
      const theirs = this.brokerVersions.get(apiKey);
      throw new UnsupportedApiError(this.address, name, theirs === undefined ? 'not served at all' : `it serves v${theirs.min}-${theirs.max}`);
    }
    const max = Math.min(common.max, options.maxVersion ?? common.max);
    if (max < Math.max(common.min, options.minVersion ?? common.min)) {
      throw new UnsupportedApiError(
        this.address,
        name,
        `it serves v${common.min}-${common.max}, fjord needs v${options.minVersion ?? common.min}-${options.maxVersion ?? common.max}`,
      );
    }
    return max;
  }

  /**
   * Sends `body` (fields of every version may be given; the encoder writes those of the chosen version) and
   * decodes the answer. Returns the version used, since response fields differ by version.
   */
  async call<K extends ApiKey>(apiKey: K, body: RequestInput<K>, options: CallOptions = {}): Promise<{ version: number; body: ResponseBody<K> }> {
    const version = this.version(apiKey, options);
    const frame = await this.connection.request(this.connection.encode(apiKey, version, body), this.requestTimeoutMs + (options.extraTimeoutMs ?? 0));
    return { version, body: decodeResponse(apiKey, version, frame).body };
  }

  /** Sends a request that gets no answer (Produce with acks=0). */
  sendOnly<K extends ApiKey>(apiKey: K, body: RequestInput<K>, options: CallOptions = {}): number {
    const version = this.version(apiKey, options);
    this.connection.sendUnanswered(this.connection.encode(apiKey, version, body));
    return version;
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
