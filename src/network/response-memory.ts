// The memory responses hold on the main thread, broker-wide and per connection: records a Fetch has read
// (pooled buffers or views of a worker's fetch arena, held until the socket has written them) and response
// frames not yet handed to the kernel. A Fetch asks for room before it
// reads: it waits while its own connection holds too much (its client is not reading), and reads fewer
// records when the broker-wide budget is short. A connection's unsent frames are always held (they exist
// already), and a connection with too many is muted (response-outflow.ts). Any listener (Kafka today,
// replication next) takes a ConnectionMemory per connection. Runs on the main thread.

/** The broker-wide budget (fjord.response.memory.bytes.max). */
export class ResponseMemoryBudget {
  private usedBytes = 0;
  /** Fetched partitions answered with fewer records than they had because memory was short (for /metrics). */
  shortPartitions = 0;

  constructor(readonly limitBytes: number) {
    if (!(limitBytes > 0)) throw new Error(`response memory budget must be positive, got ${limitBytes}`);
  }

  get heldBytes(): number {
    return this.usedBytes;
  }

  get availableBytes(): number {
    return Math.max(0, this.limitBytes - this.usedBytes);
  }

  /** Holds `bytes` whether or not they fit: memory already taken (a response frame that exists). */
  hold(bytes: number): void {
    this.usedBytes += bytes;
  }

  release(bytes: number): void {
    this.usedBytes -= bytes;
    if (this.usedBytes < 0) throw new Error(`response memory released ${-this.usedBytes} bytes more than it held`);
  }

  /** A fresh account for one connection, whose own holding beyond `connectionLimitBytes` gets no more room. */
  account(connectionLimitBytes: number): ConnectionMemory {
    return new ConnectionMemory(this, connectionLimitBytes);
  }
}

/** One connection's share: what it holds counts against the broker-wide budget too. */
export class ConnectionMemory {
  private ownBytes = 0;
  private closed = false;
  /** Resolves at the next release (or close): waiters look again for room. */
  private roomChange: { promise: Promise<void>; resolve: () => void } | null = null;

  constructor(
    readonly budget: ResponseMemoryBudget,
    /** Also the bound above which the connection is muted (fjord.connection.unsent.bytes.max). */
    readonly limitBytes: number,
  ) {}

  get heldBytes(): number {
    return this.ownBytes;
  }

  /**
   * Waits until this connection has room for a response of `wantedBytes` — it holds nothing (it may then
   * take a whole response, as Kafka sends one response per connection at a time), or what it holds plus
   * `wantedBytes` is within its limit — then holds and returns what the broker-wide budget grants of it
   * (maybe less, maybe 0). A connection whose client reads nothing thus gets no further memory.
   */
  async grant(wantedBytes: number): Promise<number> {
    while (!this.closed && this.ownBytes > 0 && this.ownBytes + wantedBytes > this.limitBytes) {
      this.roomChange ??= withResolvers();
      await this.roomChange.promise;
    }
    const granted = this.closed ? 0 : Math.max(0, Math.min(wantedBytes, this.budget.availableBytes));
    this.hold(granted);
    return granted;
  }

  /**
   * Without waiting: holds and returns as much of `wantedBytes` as this connection's limit and the broker-wide
   * budget have room for now (maybe 0). For a response that already holds memory and wants more for itself
   * (waiting in grant() for its own bytes to be written would never end).
   */
  grantNow(wantedBytes: number): number {
    const granted = this.closed ? 0 : Math.max(0, Math.min(wantedBytes, this.limitBytes - this.ownBytes, this.budget.availableBytes));
    this.hold(granted);
    return granted;
  }

  /** Holds `bytes` when the broker-wide budget has room for them; false (nothing held) otherwise. */
  tryHold(bytes: number): boolean {
    if (bytes > this.budget.availableBytes) return false;
    this.hold(bytes);
    return true;
  }

  hold(bytes: number): void {
    this.ownBytes += bytes;
    this.budget.hold(bytes);
  }

  release(bytes: number): void {
    this.ownBytes -= bytes;
    if (this.ownBytes < 0) throw new Error(`connection released ${-this.ownBytes} response bytes more than it held`);
    this.budget.release(bytes);
    if (bytes > 0) this.wake();
  }

  /** The connection is gone: waiting responses are granted nothing (what is held is still released as it goes). */
  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const change = this.roomChange;
    this.roomChange = null;
    change?.resolve();
  }
}

function withResolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
