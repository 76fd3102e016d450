// The work behind `fjord perf end-to-end` (registered in perf.ts, loaded only when run), like Kafka's
// EndToEndLatency: sends records stamped with their send time through src/client's Producer and reads them
// back with a Fetcher from the end of the topic, recording produce → consume latency. Runs on the main thread.
import { randomBytes } from 'node:crypto';
import { Fetcher } from '../../client/fetcher.js';
import { Producer, type ProducerRecord } from '../../client/producer.js';
import { resolveStartPositions } from '../../client/start-position.js';
import { loadTopicPartitions } from '../../perf/load-topic.js';
import { fixed, LATENCY_SAMPLES_MAX, LatencyRecorder, summarize } from '../../perf/stats.js';
import { withClient } from '../broker-client.js';
import { CliError } from '../cli-errors.js';
import { write } from '../output.js';
import { showProgressLine } from '../perf-meter.js';
import { ACKS } from './produce.js';
import { END_TO_END_STAMP_BYTES, type EndToEndFlags } from './perf-flags.js';

/*
 * Record value, `recordSize` bytes (big-endian):
 *   0   8  runId      random per run: records from other producers on the topic are skipped
 *   8   8  sentAtMs   float64, performance.timeOrigin + performance.now() when handed to the producer
 *  16   …  zeros up to recordSize
 * Sender and receiver are this one process, so both ends read the same clock.
 */
const RUN_ID_AT = 0;
const SENT_AT_MS_AT = 8;

/** Long-poll bound of each fetch: how late the loop notices the end of the run. */
const FETCH_WAIT_MS = 100;
/** After sending stops, how long records still in flight may take to arrive. */
const RECEIVE_WAIT_MS_MAX = 10_000;
/** Paced sends (--rate) not yet acknowledged, at most; beyond this the pacing waits. */
const SENDS_IN_FLIGHT_MAX = 64;

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

class EndToEndRun {
  sent = 0;
  received = 0;
  readonly latencies: LatencyRecorder;
  readonly startedMs = performance.now();
  lastReceivedMs = this.startedMs;
  private readonly runId = randomBytes(8);
  private sendingDoneMs: number | null = null;
  private failure: unknown = null;
  private wakeSender: (() => void) | null = null;

  constructor(
    private readonly topic: string,
    private readonly flags: EndToEndFlags,
  ) {
    this.latencies = new LatencyRecorder(Math.min(LATENCY_SAMPLES_MAX, flags.messages));
  }

  async run(producer: Producer, fetcher: Fetcher): Promise<void> {
    const receiving = this.receive(fetcher);
    try {
      if (this.flags.rate === undefined) await this.sendOneAtATime(producer);
      else await this.sendPaced(producer, this.flags.rate);
    } catch (error) {
      this.failure ??= error;
    }
    this.sendingDoneMs = performance.now();
    await receiving;
    if (this.failure !== null) throw this.failure;
  }

  private sendingTimeUp(): boolean {
    return this.failure !== null || performance.now() - this.startedMs >= this.flags.durationMs;
  }

  private finished(): boolean {
    if (this.failure !== null) return true;
    if (this.sendingDoneMs === null) return false;
    return this.received >= this.sent || performance.now() - this.sendingDoneMs >= RECEIVE_WAIT_MS_MAX;
  }

  private record(): ProducerRecord {
    const value = Buffer.alloc(this.flags.recordSize);
    this.runId.copy(value, RUN_ID_AT);
    value.writeDoubleBE(nowMs(), SENT_AT_MS_AT);
    return { key: null, value };
  }

  /** Kafka's EndToEndLatency: each record is sent once the previous one was consumed. */
  private async sendOneAtATime(producer: Producer): Promise<void> {
    while (this.sent < this.flags.messages && !this.sendingTimeUp()) {
      this.sent++;
      await producer.send(this.topic, [this.record()]);
      while (this.received < this.sent && !this.sendingTimeUp()) await new Promise<void>((resolve) => (this.wakeSender = resolve));
    }
  }

  /** Open loop at `rate` records a second: each tick sends the records due by then as one request. */
  private async sendPaced(producer: Producer, rate: number): Promise<void> {
    const intervalMs = 1000 / rate;
    const inFlight = new Set<Promise<void>>();
    while (this.sent < this.flags.messages && !this.sendingTimeUp()) {
      const due = Math.min(this.flags.messages, Math.floor((performance.now() - this.startedMs) / intervalMs) + 1);
      if (due > this.sent) {
        const records = Array.from({ length: due - this.sent }, () => this.record());
        this.sent = due;
        const sending: Promise<void> = producer
          .send(this.topic, records)
          .catch((error: unknown) => {
            this.failure ??= error;
          })
          .then(() => void inFlight.delete(sending));
        inFlight.add(sending);
        if (inFlight.size >= SENDS_IN_FLIGHT_MAX) await Promise.race(inFlight);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, this.startedMs + this.sent * intervalMs - performance.now())));
    }
    await Promise.all(inFlight);
  }

  private async receive(fetcher: Fetcher): Promise<void> {
    try {
      while (!this.finished()) {
        const messages = await fetcher.fetch();
        const receivedAtMs = nowMs();
        for (const message of messages) this.take(message.value, receivedAtMs);
        this.wakeSender?.();
      }
    } catch (error) {
      this.failure ??= error;
      this.wakeSender?.();
    }
  }

  private take(value: Buffer | null, receivedAtMs: number): void {
    if (value === null || value.length < END_TO_END_STAMP_BYTES || !value.subarray(RUN_ID_AT, RUN_ID_AT + 8).equals(this.runId)) return;
    this.latencies.record(Math.max(0, receivedAtMs - value.readDoubleBE(SENT_AT_MS_AT)));
    this.received++;
    this.lastReceivedMs = performance.now();
  }
}

function summary(run: EndToEndRun, topic: string, partitions: number, flags: EndToEndFlags): string {
  const seconds = (run.lastReceivedMs - run.startedMs) / 1000;
  const s = summarize(run.latencies);
  const pace = flags.rate === undefined ? 'one at a time' : `paced at ${flags.rate}/s`;
  return (
    `end-to-end: ${run.received} of ${run.sent} records of ${flags.recordSize} bytes consumed from ${topic} (${partitions} partitions, acks=${flags.acks}, ${pace}) in ${fixed(seconds, 2)} s\n` +
    `latency ms: p50 ${fixed(s.p50Ms, 2)}  p99 ${fixed(s.p99Ms, 2)}  p99.9 ${fixed(s.p999Ms, 2)}  max ${fixed(s.maxMs, 2)}  (${s.samples} records)\n`
  );
}

export async function endToEnd(topic: string, flags: EndToEndFlags): Promise<void> {
  // Two clients, as a producer and a consumer process would have: a fetch long-polling on the producer's
  // connection would hold up the produce requests behind it.
  await withClient(flags, (consuming) =>
    withClient(flags, async (producing) => {
      const partitions = await loadTopicPartitions(consuming, topic, flags.partitions);
      const fetcher = new Fetcher(consuming, topic, { maxWaitMs: FETCH_WAIT_MS });
      const all = Array.from({ length: partitions }, (_, p) => p);
      fetcher.assign(await resolveStartPositions(consuming, topic, all, { kind: 'latest' }));
      const producer = new Producer(producing, { acks: ACKS[flags.acks]!, allowAutoTopicCreation: false });
      const run = new EndToEndRun(topic, flags);
      const stopProgress = showProgressLine(() => `${run.sent} sent, ${run.received} consumed`);
      try {
        await run.run(producer, fetcher);
      } finally {
        stopProgress();
      }
      await write(summary(run, topic, partitions, flags));
      if (run.received < run.sent) {
        throw new CliError(
          `${run.sent - run.received} of ${run.sent} records sent to ${topic} were not consumed in time`,
          `check the broker ("fjord topics describe ${topic}"), or give the run more time with --duration-ms`,
        );
      }
    }),
  );
}
