// The SASL exchange of each connection on a SASL listener (SASL_PLAINTEXT, SASL_SSL), as Kafka runs it: ApiVersions
// any time, SaslHandshake picks a mechanism, then the client's tokens — in SaslAuthenticate requests after a
// SaslHandshake v1, as raw int32 size-prefixed frames after a v0 — until the mechanism is done and the connection
// is authenticated as User:<name>. Any other request before that closes the connection. A failed step is answered
// connection.failed.authentication.delay.ms late (SASL_AUTHENTICATION_FAILED, or the mechanism's own code) and the
// connection then closes; the log line names the client and the reason, never a secret. Main thread.
import type { ConnectionInfo } from '../network/client-connection.js';
import type { SaslAuthenticateResponse } from '../protocol/messages/sasl-authenticate.js';
import type { SaslHandshakeResponse } from '../protocol/messages/sasl-handshake.js';
import { SaslAuthenticator } from '../security/sasl-authenticator.js';
import { SaslError } from '../security/sasl-error.js';
import type { CredentialLookup, SaslMechanismName } from '../security/sasl-mechanism.js';
import { ErrorCode } from '../shared/kafka-error-codes.js';

/** ApiVersions (18), SaslHandshake (17) and SaslAuthenticate (36): all a connection may send before it has authenticated. */
export const PRE_AUTHENTICATION_API_KEYS: ReadonlySet<number> = new Set([17, 18, 36]);

export interface SaslSettings {
  mechanisms: readonly SaslMechanismName[];
  failedAuthenticationDelayMs: number;
}

/** One connection's exchange. */
class SaslSession {
  readonly authenticator: SaslAuthenticator;
  /** After a SaslHandshake v0: the next frames are raw tokens, not requests. */
  rawTokens = false;

  constructor(credentials: CredentialLookup, mechanisms: readonly SaslMechanismName[]) {
    this.authenticator = new SaslAuthenticator(credentials, { enabledMechanisms: mechanisms });
  }
}

export class SaslSessions {
  private readonly sessions = new WeakMap<ConnectionInfo, SaslSession>();

  constructor(
    private readonly credentials: CredentialLookup,
    private readonly settings: SaslSettings,
  ) {}

  /** Whether the connection's next frame is a raw SASL token (after a SaslHandshake v0). */
  expectsRawToken(connection: ConnectionInfo): boolean {
    return connection.authenticationPending && this.sessions.get(connection)?.rawTokens === true;
  }

  /** SaslHandshake on a connection still to authenticate; ILLEGAL_SASL_STATE anywhere else (Kafka's answer on other listeners and after authentication). */
  handshake(connection: ConnectionInfo, mechanism: string, version: number): SaslHandshakeResponse {
    if (!connection.authenticationPending) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    const session = this.sessionOf(connection);
    try {
      session.authenticator.start(mechanism);
      session.rawTokens = version === 0;
      return { errorCode: ErrorCode.NONE, mechanisms: [...session.authenticator.mechanisms] };
    } catch (error) {
      const failure = asSaslError(error);
      this.failed(connection, failure, mechanism);
      return { errorCode: failure.errorCode, mechanisms: [...session.authenticator.mechanisms] };
    }
  }

  /** SaslAuthenticate: one token of the exchange; a failure is answered late and closes the connection. */
  async authenticate(connection: ConnectionInfo, authBytes: Buffer): Promise<SaslAuthenticateResponse> {
    const illegal = 'SaslAuthenticate request received after successful authentication or on a listener without SASL';
    if (!connection.authenticationPending)
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: illegal, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
    try {
      const step = this.step(connection, authBytes);
      return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step, sessionLifetimeMs: 0 };
    } catch (error) {
      const failure = asSaslError(error);
      this.failed(connection, failure, this.sessions.get(connection)?.authenticator.mechanisms.join(',') ?? '');
      await delay(this.settings.failedAuthenticationDelayMs);
      return { errorCode: failure.errorCode, errorMessage: failure.message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
    }
  }

  /**
   * A raw token after SaslHandshake v0: the answer is the server's token, size-prefixed, as the whole frame.
   *   int32 size | token bytes
   * A failure has no answer in this form: the connection closes (after the same delay), as Kafka's does.
   */
  async rawToken(connection: ConnectionInfo, token: Buffer): Promise<Buffer | null> {
    try {
      const response = this.step(connection, token);
      const frame = Buffer.allocUnsafe(4 + response.length);
      frame.writeInt32BE(response.length, 0);
      response.copy(frame, 4);
      return frame;
    } catch (error) {
      this.failed(connection, asSaslError(error), 'v0');
      await delay(this.settings.failedAuthenticationDelayMs);
      return null;
    }
  }

  private step(connection: ConnectionInfo, token: Buffer): Buffer {
    const session = this.sessionOf(connection);
    const step = session.authenticator.step(token);
    if (step.done) {
      connection.authenticate(`User:${step.principal!}`);
      this.sessions.delete(connection);
    }
    return step.response;
  }

  private sessionOf(connection: ConnectionInfo): SaslSession {
    let session = this.sessions.get(connection);
    if (session === undefined) {
      session = new SaslSession(this.credentials, this.settings.mechanisms);
      this.sessions.set(connection, session);
    }
    return session;
  }

  /** Logs the failure (one line, rate-limited per client), and has the connection close once its answer is written. */
  private failed(connection: ConnectionInfo, failure: SaslError, mechanism: string): void {
    connection.warn('authentication', { mechanism, kind: failure.kind }, `SASL authentication failed: ${failure.message}`);
    connection.closeAfterResponses(null, 'SASL authentication failed');
  }
}

function asSaslError(error: unknown): SaslError {
  if (error instanceof SaslError) return error;
  throw error;
}

function delay(ms: number): Promise<void> {
  return ms === 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
