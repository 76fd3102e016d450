// HTTP Basic authentication of the admin HTTP port (fjord.http.authentication): when it is required, which
// requests carry a broker user's name and password (checked against the user's SCRAM credential, user-password.ts),
// and the one log line per client address and interval a failure gets (never a password). Main thread.
import type { IncomingMessage } from 'node:http';
import { type HttpListener, isLoopback } from '../config/listener-config.js';
import type { ClientWarnings } from '../network/client-warnings.js';
import { PLAIN_PASSWORD_BYTES_MAX, SASL_USERNAME_BYTES_MAX } from '../security/sasl-limits.js';
import type { CredentialLookup } from '../security/sasl-mechanism.js';
import { StandInCredentials } from '../security/stand-in-credentials.js';
import { userPasswordMatches } from '../security/user-password.js';

export type HttpAuthenticationMode = 'auto' | 'required' | 'none';

/** The header a 401 carries: the realm names the broker, the charset says user and password are UTF-8 (RFC 7617). */
export const ADMIN_WWW_AUTHENTICATE = 'Basic realm="fjord", charset="UTF-8"';
/** The longest Authorization value read: "Basic " and the base64 of the longest user name and password, and a colon. */
const AUTHORIZATION_CHARS_MAX = 'Basic '.length + Math.ceil((SASL_USERNAME_BYTES_MAX + 1 + PLAIN_PASSWORD_BYTES_MAX) / 3) * 4;

/** auto: required unless the listener is bound to a loopback address (only this host can reach it). */
export function authenticationRequired(mode: HttpAuthenticationMode, listener: HttpListener): boolean {
  return mode === 'required' || (mode === 'auto' && !isLoopback(listener.host));
}

/** fjord.http.authentication=none on an address other hosts reach: the broker warns at start. */
export function openToNetworkWithoutCredentials(mode: HttpAuthenticationMode, listener: HttpListener): boolean {
  return mode === 'none' && !isLoopback(listener.host);
}

/** ok: a broker user, `user`; starting: the users' credentials are not open yet; else why the request is refused. */
export type AdminAuthResult = { kind: 'ok'; user: string } | { kind: 'starting' } | { kind: 'refused'; reason: string };

export class AdminHttpAuthentication {
  private credentials: CredentialLookup | null = null;
  private readonly standIns = new StandInCredentials();

  constructor(
    /** The admin listener's own rate-limited lines (one per client address and kind per interval). */
    private readonly warnings: ClientWarnings,
    /** connection.failed.authentication.delay.ms: a refusal is answered this late. */
    readonly failedDelayMs: number,
  ) {}

  /** The broker's users, once open (before that, requests with credentials are answered 503 starting). */
  useCredentials(credentials: CredentialLookup): void {
    this.credentials = credentials;
  }

  check(request: IncomingMessage): AdminAuthResult {
    const result = this.verify(request.headers.authorization);
    if (result.kind === 'refused') {
      this.warnings.warn(
        request.socket.remoteAddress ?? 'unknown',
        'authentication',
        { listener: 'admin-http', reason: result.reason },
        `admin HTTP request refused: ${result.reason}`,
      );
    }
    return result;
  }

  private verify(authorization: string | undefined): AdminAuthResult {
    const basic = basicCredentials(authorization);
    if (typeof basic === 'string') return { kind: 'refused', reason: basic };
    if (this.credentials === null) return { kind: 'starting' };
    if (!userPasswordMatches(this.credentials, this.standIns, basic.user, basic.password)) return { kind: 'refused', reason: 'unknown user or wrong password' };
    return { kind: 'ok', user: basic.user };
  }
}

/** RFC 7617: `Basic base64(user ":" password)`, the user without a colon; a string says what is wrong. */
function basicCredentials(authorization: string | undefined): { user: string; password: Buffer } | string {
  if (authorization === undefined) return 'no credentials (HTTP Basic authentication is required)';
  if (authorization.length > AUTHORIZATION_CHARS_MAX) return 'an Authorization header too long';
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization);
  if (match === null) return 'an Authorization header that is not Basic credentials';
  const decoded = Buffer.from(match[1]!, 'base64');
  const colon = decoded.indexOf(0x3a);
  if (colon <= 0 || colon === decoded.length - 1) return 'Basic credentials without a user name and password';
  const user = new TextDecoder('utf-8', { fatal: false }).decode(decoded.subarray(0, colon));
  return { user, password: decoded.subarray(colon + 1) };
}
