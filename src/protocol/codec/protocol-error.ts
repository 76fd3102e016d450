// ProtocolError: the one error type the Kafka codec throws, with a kind telling the network layer what to do.
// Runs on the main thread.

/**
 * - `malformed`: the bytes are not a valid message (truncated, bad length, bad tag order, trailing bytes).
 *   The broker closes the connection.
 * - `unsupported-version`: a known API at a version the registry cannot decode. The broker answers
 *   UNSUPPORTED_VERSION (ApiVersions: a v0 body, see README §4.2).
 * - `unknown-api-key`: an API key the registry does not know. Kafka closes the connection.
 * - `invalid-value`: a value given to the encoder does not fit its field (our bug, not the client's).
 */
export type ProtocolErrorKind = 'malformed' | 'unsupported-version' | 'unknown-api-key' | 'invalid-value';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  /** Field path from the message root, e.g. ['topicData', '0', 'partitionData']; filled while unwinding. */
  readonly path: string[] = [];
  private readonly detail: string;

  constructor(
    detail: string,
    readonly kind: ProtocolErrorKind = 'malformed',
  ) {
    super(detail);
    this.detail = detail;
  }

  /** Prepends one path segment (a field name or array index) and refreshes the message. */
  within(segment: string): this {
    this.path.unshift(segment);
    this.message = `${this.path.join('.')}: ${this.detail}`;
    return this;
  }

  /** Prefixes the message with what was being decoded, e.g. "Produce v9 request". */
  during(what: string): this {
    const where = this.path.length > 0 ? ` at ${this.path.join('.')}` : '';
    this.message = `${what}${where}: ${this.detail}`;
    return this;
  }
}
