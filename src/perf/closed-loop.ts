// The closed-loop load driver of the throughput loads (produce, offset commits): each connection keeps a fixed
// number of requests outstanding, sending the next as soon as one is answered, until a request count or a time
// bound is reached; records send → response latency and fails on the first bad answer. Runs on the caller's
// main thread.
import type { KafkaConnection, ResponseCallback } from '../client/kafka-connection.js';
import { LATENCY_SAMPLES_MAX, LatencyRecorder, type LatencySummary, summarize } from './stats.js';

export interface ClosedLoopBounds {
  requestsMax: number;
  durationMaxMs: number;
  inFlightPerConnection: number;
}

export interface ClosedLoopResult {
  requests: number;
  /** From the start to the last answer. */
  elapsedMs: number;
  latency: LatencySummary;
}

/** What to send next on `connection`: calls `send(onResponse)` with the connection's own send method. */
export type SendNext = (connection: KafkaConnection, onResponse: ResponseCallback) => void;

/** The counts, latencies and first failure of one load run: what the closed loop and the paced load share. */
export class LoadRun {
  readonly startedMs = performance.now();
  sent = 0;
  answered = 0;
  lastAnswerMs = this.startedMs;
  failed = false;
  readonly latencies: LatencyRecorder;

  constructor(
    samplesMax: number,
    private readonly reject: (error: Error) => void,
    private readonly checkResponse: (frame: Buffer) => void,
  ) {
    this.latencies = new LatencyRecorder(Math.min(LATENCY_SAMPLES_MAX, samplesMax));
  }

  readonly fail = (error: Error): void => {
    this.failed = true;
    this.reject(error);
  };

  /** Counts the answer to a request sent at `sentMs`; false when it is bad (the run has failed). */
  answer(sentMs: number, frame: Buffer): boolean {
    this.lastAnswerMs = performance.now();
    this.latencies.record(this.lastAnswerMs - sentMs);
    this.answered++;
    try {
      this.checkResponse(frame);
    } catch (error) {
      this.fail(error as Error);
      return false;
    }
    return true;
  }

  /** From the start to the last answer. */
  get elapsedMs(): number {
    return this.lastAnswerMs - this.startedMs;
  }
}

export function runClosedLoop(
  connections: readonly KafkaConnection[],
  sendNext: SendNext,
  checkResponse: (frame: Buffer) => void,
  bounds: ClosedLoopBounds,
): Promise<ClosedLoopResult> {
  return new Promise((resolve, reject) => {
    const run = new LoadRun(bounds.requestsMax, reject, checkResponse);
    const next = (connection: KafkaConnection): void => {
      if (run.failed) return;
      if (run.sent >= bounds.requestsMax || performance.now() - run.startedMs >= bounds.durationMaxMs) {
        if (run.answered === run.sent) resolve({ requests: run.answered, elapsedMs: run.elapsedMs, latency: summarize(run.latencies) });
        return;
      }
      run.sent++;
      const sentMs = performance.now();
      sendNext(connection, (frame) => {
        if (run.answer(sentMs, frame)) next(connection);
      });
    };
    for (const connection of connections) {
      connection.whenFailed(run.fail);
      for (let i = 0; i < bounds.inFlightPerConnection; i++) next(connection);
    }
  });
}
