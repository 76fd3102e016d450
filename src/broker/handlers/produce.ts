// Produce: appends each partition's record batch through the engine (acks 0, 1 and all; all completes once every
// in-sync replica has the batch: min-insync-replicas.ts; alone, when the write is done), wakes long-polling
// fetches, answers per partition; a partition this broker does not lead answers NOT_LEADER_OR_FOLLOWER.
// Versions 0-2 may carry a message set of the old format (magic 0/1; Kafka also takes magic 2 there): it is
// flagged and the owning worker converts it to one record batch (workers/legacy-formats.ts). v3+ carries
// exactly one magic-2 batch. v10+ answers no current leader (tagged, default): this broker leads every partition.
// Counts bytes and records appended per topic, and requests waiting for their appends. Runs on the main thread.
import { CloseConnectionError } from '../../network/client-connection.js';
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { Attribute, BatchField, batchSizeAt, CURRENT_MAGIC, LOG_OVERHEAD_BYTES } from '../../shared/record-batch.js';
import { countLegacyMessages } from '../../shared/legacy-message.js';
import { defineHandler, type RequestOfKey } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { OFFSETS_TOPIC } from '../../shared/group-protocol.js';
import { awaitCommitted, notEnoughReplicasProblem } from './min-insync-replicas.js';
import { ANY_LEADER_EPOCH } from '../partition-leadership.js';

/** The first version whose records must be one record batch v2 (Kafka's ProduceRequest.validateRecords). */
const FIRST_BATCH_ONLY_VERSION = 3;
const FIRST_ZSTD_VERSION = 7;
const ZSTD = 4;
const ACKS_ALL = -1;

type RecordError = { batchIndex: number; batchIndexErrorMessage: string | null };
type PartitionAnswer = {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  /** v8+: the records that failed validation, by index in the batch. */
  recordErrors: RecordError[];
  errorMessage: string | null;
};

export const produceHandler = defineHandler({
  apiKey: 0,
  minVersion: 0,
  maxVersion: 11,
  async handle(ctx, request) {
    const { acks, topicData } = request.body;
    const version = request.header.apiVersion;
    const refusal = acks !== 0 && acks !== 1 && acks !== -1 ? ErrorCode.INVALID_REQUIRED_ACKS : ErrorCode.NONE;
    ctx.meters.produceWaiting++;
    try {
      const responses = await appendAll(ctx, topicData, refusal, version, acks, request.body.timeoutMs);
      if (acks === 0) return noResponseUnlessFailed(responses);
      return { responses, throttleTimeMs: 0 };
    } finally {
      ctx.meters.produceWaiting--;
    }
  },
});

type TopicData = RequestOfKey<0>['body']['topicData'];

function appendAll(
  ctx: BrokerContext,
  topicData: TopicData,
  refusal: number,
  version: number,
  acks: number,
  timeoutMs: number,
): Promise<Array<{ name: string; partitionResponses: PartitionAnswer[] }>> {
  return Promise.all(
    topicData.map(async (topic) => ({
      name: topic.name,
      partitionResponses: await Promise.all(
        topic.partitionData.map((p) =>
          refusal !== ErrorCode.NONE ? failed(p.index, refusal, '') : appendOne(ctx, topic.name, p.index, p.records, version, acks, timeoutMs),
        ),
      ),
    })),
  );
}

async function appendOne(
  ctx: BrokerContext,
  topic: string,
  partition: number,
  records: Buffer | null,
  version: number,
  acks: number,
  timeoutMs: number,
): Promise<PartitionAnswer> {
  if (topic === OFFSETS_TOPIC) return failed(partition, ErrorCode.INVALID_TOPIC_EXCEPTION, `${OFFSETS_TOPIC} is written by the group coordinator only`);
  const notLeader = ctx.leadership.leaderProblem(topic, partition, ANY_LEADER_EPOCH);
  if (notLeader !== ErrorCode.NONE) return failed(partition, notLeader, `this broker does not lead ${topic}-${partition}`);
  const legacy = isLegacyMessageSet(records, version);
  const problem = (legacy ? null : batchProblem(records, version)) ?? notEnoughReplicasProblem(ctx, topic, partition, acks);
  if (problem !== null) return failed(partition, problem.code, problem.message);
  const outcome = await ctx.engine.append(topic, partition, records!, false, legacy);
  if (outcome.errorCode !== ErrorCode.NONE) return failed(partition, outcome.errorCode, outcome.errorMessage, outcome.recordIndex);
  if (legacy) ctx.meters.produced(topic, records!, countLegacyMessages(records!));
  else ctx.meters.produced(topic, records!);
  ctx.waiters.notify(topic, partition);
  if (acks === ACKS_ALL) {
    // An old-format set's record count is known only once converted: waiting for the log end covers it (and maybe more).
    const lastOffset = legacy
      ? (await ctx.engine.offsets(topic, partition)).logEndOffset - 1
      : outcome.baseOffset + records!.readInt32BE(BatchField.LAST_OFFSET_DELTA);
    const notCommitted = await awaitCommitted(ctx, topic, partition, lastOffset, timeoutMs);
    if (notCommitted !== null) return failed(partition, notCommitted.code, notCommitted.message);
  }
  return {
    index: partition,
    errorCode: ErrorCode.NONE,
    baseOffset: outcome.baseOffset,
    logAppendTimeMs: outcome.logAppendTimeMs,
    logStartOffset: outcome.logStartOffset,
    recordErrors: [],
    errorMessage: null,
  };
}

/** Produce v0-2 with a message set of magic 0/1 (the magic byte sits where a batch's does): the worker converts it. */
function isLegacyMessageSet(records: Buffer | null, version: number): boolean {
  return version < FIRST_BATCH_ONLY_VERSION && records !== null && records.length > BatchField.MAGIC && records[BatchField.MAGIC] !== CURRENT_MAGIC;
}

/** Produce carries exactly one magic-2 batch per partition (v3+; also a v0-2 request that sends one); zstd needs v7+. */
function batchProblem(records: Buffer | null, version: number): { code: number; message: string } | null {
  if (records === null || records.length < LOG_OVERHEAD_BYTES) return { code: ErrorCode.CORRUPT_MESSAGE, message: 'no record batch' };
  if (batchSizeAt(records, 0) !== records.length)
    return { code: ErrorCode.INVALID_RECORD, message: 'a produce request carries exactly one record batch per partition' };
  if (
    records.length > BatchField.ATTRIBUTES + 1 &&
    (records.readInt16BE(BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK) === ZSTD &&
    version < FIRST_ZSTD_VERSION
  ) {
    return { code: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, message: `zstd needs Produce v${FIRST_ZSTD_VERSION} or later` };
  }
  return null;
}

/** acks=0 gets no response; a failure closes the connection instead, as Kafka does, so the producer notices. */
function noResponseUnlessFailed(responses: Array<{ name: string; partitionResponses: PartitionAnswer[] }>): null {
  for (const topic of responses) {
    const failure = topic.partitionResponses.find((p) => p.errorCode !== ErrorCode.NONE);
    if (failure) throw new CloseConnectionError(`acks=0 produce to ${topic.name}-${failure.index} failed with error ${failure.errorCode}`);
  }
  return null;
}

function failed(index: number, errorCode: number, errorMessage: string, recordIndex = -1): PartitionAnswer {
  const message = errorMessage === '' ? null : errorMessage;
  const recordErrors = recordIndex >= 0 ? [{ batchIndex: recordIndex, batchIndexErrorMessage: message }] : [];
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors, errorMessage: message };
}
