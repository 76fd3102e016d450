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

export function runClosedLoop(connections: readonly KafkaConnection[], sendNext: SendNext, checkResponse: (frame: Buffer) => void, bounds: ClosedLoopBounds): Promise<ClosedLoopResult> {
  const latencies = new LatencyRecorder(Math.min(LATENCY_SAMPLES_MAX, bounds.requestsMax));
  return new Promise((resolve, reject) => {
    const startedMs = performance.now();
    let sent = 0;
    let answered = 0;
    let lastAnswerMs = startedMs;
    let failed = false;
    const fail = (error: Error): void => {
      failed = true;
      reject(error);
    };
    const next = (connection: KafkaConnection): void => {
      if (failed) return;
      if (sent >= bounds.requestsMax || performance.now() - startedMs >= bounds.durationMaxMs) {
        if (answered === sent) resolve({ requests: answered, elapsedMs: lastAnswerMs - startedMs, latency: summarize(latencies) });
        return;
      }
      sent++;
      const sentMs = performance.now();
      sendNext(connection, (frame) => {
        lastAnswerMs = performance.now();
        latencies.record(lastAnswerMs - sentMs);
        answered++;
        try {
          checkResponse(frame);
        } catch (error) {
          return fail(error as Error);
        }
        next(connection);
      });
    };
    for (const connection of connections) {
      connection.whenFailed(fail);
      for (let i = 0; i < bounds.inFlightPerConnection; i++) next(connection);
    }
  });
}
