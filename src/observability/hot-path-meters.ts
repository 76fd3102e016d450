// The counters the request path bumps: bytes and records in and out per topic, requests and their
// latency per API, produce requests waiting for their appends. Plain numbers and typed arrays, so
// counting costs a map lookup and a few additions and allocates nothing per request; /metrics reads
// them at scrape time (broker-metrics.ts). Runs on the main thread.
import { apiByKey, apis } from '../protocol/api-registry.js';
import { BATCH_HEADER_BYTES, BatchField, batchSizeAt } from '../shared/record-batch.js';

/** The label of the traffic of topics beyond fjord.metrics.topic.labels.max: not a legal topic name, so it cannot clash. */
export const OTHER_TOPICS_LABEL = '(other)';

/** Upper bounds (seconds) of the request latency histogram's buckets; +Inf follows. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class TopicTraffic {
  bytesIn = 0;
  messagesIn = 0;
  bytesOut = 0;
  messagesOut = 0;

  constructor(readonly label: string) {}
}

/** Per-API request counts and latency buckets, indexed by API key. */
export class RequestMeters {
  /** One slot per bucket plus +Inf, per API key; counts are per bucket, made cumulative at scrape time. */
  readonly slotsPerApi = LATENCY_BUCKETS_SECONDS.length + 1;
  readonly received: Float64Array;
  readonly answered: Float64Array;
  readonly secondsSum: Float64Array;
  readonly buckets: Float64Array;

  constructor() {
    const keys = Math.max(...apis.map((api) => api.apiKey)) + 1;
    this.received = new Float64Array(keys);
    this.answered = new Float64Array(keys);
    this.secondsSum = new Float64Array(keys);
    this.buckets = new Float64Array(keys * this.slotsPerApi);
  }

  /** API keys that have been received at least once, with their names. */
  seen(): Array<{ apiKey: number; api: string }> {
    const found: Array<{ apiKey: number; api: string }> = [];
    for (let key = 0; key < this.received.length; key++) if (this.received[key]! > 0) found.push({ apiKey: key, api: apiByKey(key)?.name ?? String(key) });
    return found;
  }

  receivedRequest(apiKey: number): void {
    if (apiKey >= 0 && apiKey < this.received.length) this.received[apiKey]!++;
  }

  /** A handler answered (or chose not to, for acks=0) `elapsedMs` after the request was decoded. */
  answeredRequest(apiKey: number, elapsedMs: number): void {
    if (apiKey < 0 || apiKey >= this.answered.length) return;
    const seconds = elapsedMs / 1000;
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS_SECONDS.length && seconds > LATENCY_BUCKETS_SECONDS[bucket]!) bucket++;
    this.answered[apiKey]!++;
    this.secondsSum[apiKey]! += seconds;
    this.buckets[apiKey * this.slotsPerApi + bucket]!++;
  }
}

export class HotPathMeters {
  readonly requests = new RequestMeters();
  /** Produce requests whose appends the workers have not all acknowledged yet (write, and fsync when the flush policy asks). */
  produceWaiting = 0;
  private readonly byTopic = new Map<string, TopicTraffic>();
  private readonly other = new TopicTraffic(OTHER_TOPICS_LABEL);

  constructor(private readonly topicLabelsMax: number) {}

  /** A produce appended `batch` (one record batch, as the producer sent it) to `topic`. */
  produced(topic: string, batch: Buffer, messages = batch.length >= BATCH_HEADER_BYTES ? batch.readInt32BE(BatchField.RECORDS_COUNT) : 0): void {
    const traffic = this.trafficOf(topic);
    traffic.bytesIn += batch.length;
    traffic.messagesIn += messages;
  }

  /** A fetch returned `records` (whole batches, records counted from each batch header, unless `messages` counts them) from `topic`. */
  fetched(topic: string, records: Buffer, messages = recordsIn(records)): void {
    const traffic = this.trafficOf(topic);
    traffic.bytesOut += records.length;
    traffic.messagesOut += messages;
  }

  /** Every topic's counters, the "(other)" bucket last when it has counted anything. */
  topicTraffic(): TopicTraffic[] {
    const all = [...this.byTopic.values()];
    if (this.other.bytesIn + this.other.bytesOut > 0) all.push(this.other);
    return all;
  }

  /** Drops the counters of deleted topics so their labels disappear and the slots go to new topics. */
  forgetTopicsExcept(exists: (topic: string) => boolean): void {
    for (const topic of this.byTopic.keys()) if (!exists(topic)) this.byTopic.delete(topic);
  }

  private trafficOf(topic: string): TopicTraffic {
    const found = this.byTopic.get(topic);
    if (found !== undefined) return found;
    if (this.byTopic.size >= this.topicLabelsMax) return this.other;
    const created = new TopicTraffic(topic);
    this.byTopic.set(topic, created);
    return created;
  }
}

/** Sum of the records-count fields of the whole batches in `records` (headers only, nothing decoded). */
function recordsIn(records: Buffer): number {
  let count = 0;
  let at = 0;
  while (at + BATCH_HEADER_BYTES <= records.length) {
    const batchBytes = batchSizeAt(records, at);
    if (batchBytes < BATCH_HEADER_BYTES) break; // the worker validated every batch; never loop on a bad length
    count += records.readInt32BE(at + BatchField.RECORDS_COUNT);
    at += batchBytes;
  }
  return count;
}
