// One client connection: size-prefixed frames in, each to the request handler, responses out in request
// order. It reads a frame only while response-outflow.ts allows (requests in flight and unsent bytes under
// their bounds) and is muted (socket paused, frames left in the splitter) otherwise. It closes, with one
// rate-limited log line, on a malformed or oversized frame, after connections.max.idle.ms idle, and when a
// request begun fjord.request.read.timeout.ms ago is still incomplete. Nothing here knows Kafka: a second
// listener reuses it with its own handler. Runs on the main thread.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { FrameSizeError, FrameSplitter } from './frame-splitter.js';
import { type ClientWarningKind, type ClientWarnings, hostOf } from './client-warnings.js';
import type { ConnectionMemory, ResponseMemoryBudget } from './response-memory.js';
import type { ResponseFrame } from './response-frame.js';
import { ResponseOutflow } from './response-outflow.js';
import type { PrincipalMappingRule } from '../security/ssl-principal-mapping.js';
import { principalOfCertificate } from './tls-material.js';

export interface ConnectionInfo {
  readonly id: number;
  readonly remote: string;
  /** The listener the client came in on: Metadata and FindCoordinator answer with that listener's addresses. */
  readonly listenerName: string;
  /**
   * Who the client is: User:ANONYMOUS, on an SSL listener the subject of its verified certificate
   * (tls-material.ts), on a SASL listener the user it authenticated as.
   */
  readonly principal: string;
  /** On a SASL listener, true until authenticate(): only the authentication requests may be answered. */
  readonly authenticationPending: boolean;
  /** The client has authenticated as `principal`: the authentication deadline is off. */
  authenticate(principal: string): void;
  /** Reads no further request and closes once the responses owed so far are written (a failed authentication). */
  closeAfterResponses(kind: ClientWarningKind | null, reason: string): void;
  /** What this connection's responses hold in memory; a handler asks it for room before reading data. */
  readonly responseMemory: ConnectionMemory;
  /** Logs a line about this client, at most one per kind per interval (client-warnings.ts). */
  warn(kind: ClientWarningKind, fields: Record<string, unknown>, message: string, level?: 'warn' | 'error'): void;
}

/** Turns one request frame (no size prefix) into the whole response frame (maybe in parts), or null when none is owed (acks=0). */
export type RequestHandler = (frame: Buffer, connection: ConnectionInfo) => Promise<ResponseFrame | null> | ResponseFrame | null;

export interface ConnectionLimits {
  maxFrameBytes: number;
  /** What the frame limit is called in an oversize frame's log line (default: Kafka's socket.request.max.bytes). */
  maxFrameBytesName?: string;
  maxInFlightRequests: number;
  idleTimeoutMs: number;
  /** A request whose first byte arrived this long ago and is still incomplete closes the connection. */
  requestReadTimeoutMs: number;
  /** Unsent response bytes above which the connection is muted; also its share of the response memory. */
  unsentBytesMax: number;
}

/** What every connection of a listener (or of several listeners) shares. */
export interface ConnectionShared {
  handle: RequestHandler;
  limits: ConnectionLimits;
  memory: ResponseMemoryBudget;
  warnings: ClientWarnings;
  /** The listener's name, which every one of its connections reports (ConnectionInfo.listenerName). */
  listenerName: string;
  /** A SASL listener's rule: a connection that has not authenticated this long after it was accepted is closed; null: no authentication. */
  authenticationTimeoutMs: number | null;
  /** ssl.principal.mapping.rules, for the principal of a verified client certificate. */
  principalRules: readonly PrincipalMappingRule[];
}

/**
 * Thrown by a handler when the connection must end: a frame that cannot be understood, a version that cannot
 * be answered, or a failed acks=0 produce (the only way to tell such a producer). The broker goes on.
 */
export class CloseConnectionError extends Error {
  override name = 'CloseConnectionError';

  constructor(
    message: string,
    readonly kind: ClientWarningKind = 'closed',
    /** Logged with the reason; an `apiKey` field also keys the rate limit and the per-API count (client-warnings.ts). */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const ANONYMOUS_PRINCIPAL = 'User:ANONYMOUS';

export class ClientConnection implements ConnectionInfo {
  readonly remote: string;
  readonly listenerName: string;
  private currentPrincipal: string;
  private authenticationTimer: NodeJS.Timeout | null = null;
  /** Set by closeAfterResponses: no request is read, and the connection closes once nothing is owed. */
  private closing: { kind: ClientWarningKind | null; reason: string } | null = null;
  readonly responseMemory: ConnectionMemory;
  private readonly splitter: FrameSplitter;
  private readonly outflow: ResponseOutflow;
  private muted = false;
  private pumping = false;
  /** performance.now() when the first byte of the request being received arrived; null between requests and while muted. */
  private partialSinceMs: number | null = null;
  private readTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly shared: ConnectionShared,
    private readonly onClose: (connection: ClientConnection) => void,
  ) {
    const { limits } = shared;
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.listenerName = shared.listenerName;
    this.currentPrincipal = principalOf(socket, shared.principalRules);
    const timeoutMs = shared.authenticationTimeoutMs;
    if (timeoutMs !== null) {
      this.authenticationTimer = setTimeout(
        () => this.close('authentication', `not authenticated within fjord.authentication.timeout.ms (${timeoutMs} ms)`),
        timeoutMs,
      );
    }
    this.splitter = new FrameSplitter(limits.maxFrameBytes, limits.maxFrameBytesName);
    this.responseMemory = shared.memory.account(limits.unsentBytesMax);
    this.outflow = new ResponseOutflow(socket, limits.maxInFlightRequests, this.responseMemory, () => this.readable());
    socket.setNoDelay(true);
    socket.setTimeout(limits.idleTimeoutMs, () => this.close('closed', 'idle for connections.max.idle.ms'));
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', () => this.close(null));
    socket.on('close', () => this.close(null));
  }

  get principal(): string {
    return this.currentPrincipal;
  }

  get authenticationPending(): boolean {
    return this.authenticationTimer !== null;
  }

  authenticate(principal: string): void {
    this.currentPrincipal = principal;
    if (this.authenticationTimer !== null) clearTimeout(this.authenticationTimer);
    this.authenticationTimer = null;
  }

  closeAfterResponses(kind: ClientWarningKind | null, reason: string): void {
    this.closing ??= { kind, reason };
    this.setMuted(true);
    if (this.outflow.inFlight === 0) this.close(kind, reason);
  }

  /** Muted: reads no request until its responses are written (response-outflow.ts). */
  get isMuted(): boolean {
    return this.muted;
  }

  get unsentBytes(): number {
    return this.outflow.unsentBytes;
  }

  warn(kind: ClientWarningKind, fields: Record<string, unknown>, message: string, level: 'warn' | 'error' = 'warn'): void {
    this.shared.warnings.warn(hostOf(this.remote), kind, { connection: this.remote, ...fields }, message, level);
  }

  private received(chunk: Buffer): void {
    this.splitter.add(chunk);
    this.pump();
  }

  private readable(): void {
    if (this.closing !== null) {
      if (this.outflow.inFlight === 0) this.close(this.closing.kind, this.closing.reason);
      return;
    }
    if (this.muted) this.pump();
  }

  /** Hands buffered frames to the handler while the outflow allows, then mutes or unmutes the socket. */
  private pump(): void {
    if (this.pumping || this.closed || this.closing !== null) return;
    this.pumping = true;
    try {
      while (this.outflow.mayRead) {
        const frame = this.splitter.next();
        if (frame === null) break;
        this.partialSinceMs = null;
        this.dispatch(frame);
        if (this.closed || this.closing !== null) return;
      }
    } catch (error) {
      if (error instanceof FrameSizeError) return this.close('bad-frame', error.message);
      throw error;
    } finally {
      this.pumping = false;
    }
    this.setMuted(!this.outflow.mayRead);
    this.watchPartialRequest();
  }

  private dispatch(frame: Buffer): void {
    const slot = this.outflow.reserve();
    let result: Promise<ResponseFrame | null> | ResponseFrame | null;
    try {
      result = this.shared.handle(frame, this);
    } catch (error) {
      return this.failed(error);
    }
    if (result instanceof Promise) {
      result.then(
        (response) => this.outflow.fill(slot, response),
        (error: unknown) => this.failed(error),
      );
    } else {
      this.outflow.fill(slot, result);
    }
  }

  private setMuted(muted: boolean): void {
    if (muted === this.muted) return;
    this.muted = muted;
    if (muted) this.socket.pause();
    else this.socket.resume();
  }

  /** Starts the read timeout's clock at a request's first byte; it does not run between requests or while muted. */
  private watchPartialRequest(): void {
    if (this.muted || this.splitter.pendingBytes === 0) {
      this.partialSinceMs = null;
      return;
    }
    this.partialSinceMs ??= performance.now();
    this.readTimer ??= setTimeout(() => this.checkReadTimeout(), this.shared.limits.requestReadTimeoutMs);
  }

  private checkReadTimeout(): void {
    this.readTimer = null;
    if (this.closed || this.partialSinceMs === null) return;
    const timeoutMs = this.shared.limits.requestReadTimeoutMs;
    const waitedMs = performance.now() - this.partialSinceMs;
    if (waitedMs < timeoutMs) {
      this.readTimer = setTimeout(() => this.checkReadTimeout(), timeoutMs - waitedMs);
      return;
    }
    this.close(
      'read-timeout',
      `request incomplete ${Math.round(waitedMs)} ms after its first byte (fjord.request.read.timeout.ms ${timeoutMs}), ${this.splitter.pendingBytes} bytes received`,
    );
  }

  private failed(error: unknown): void {
    if (error instanceof CloseConnectionError) return this.close(error.kind, error.message, error.fields);
    // The handler could not even produce an error response (the Kafka router answers its own failures).
    this.warn('handler-failed', { err: error }, 'request handler failed; closing the connection', 'error');
    this.close(null);
  }

  /** Closes the connection; with a `kind`, `reason` is logged with `fields` (rate-limited per client address and kind). */
  close(kind: ClientWarningKind | null, reason = '', fields: Record<string, unknown> = {}): void {
    if (this.closed) return;
    this.closed = true;
    if (kind !== null) this.warn(kind, fields, `closing connection: ${reason}`);
    if (this.readTimer !== null) clearTimeout(this.readTimer);
    if (this.authenticationTimer !== null) clearTimeout(this.authenticationTimer);
    this.outflow.close();
    this.responseMemory.close();
    this.socket.destroy();
    this.onClose(this);
  }
}

/** A TLS client with a certificate the listener verified is its subject; anyone else is anonymous. */
function principalOf(socket: Socket, rules: readonly PrincipalMappingRule[]): string {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return ANONYMOUS_PRINCIPAL;
  const certificate = socket.getPeerX509Certificate();
  return certificate === undefined ? ANONYMOUS_PRINCIPAL : principalOfCertificate(certificate, rules);
}
