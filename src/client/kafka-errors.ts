// The errors Fjord's Kafka client raises: a Kafka error code from any broker (with Kafka's name for it and
// whether a retry can help), an unreachable broker, a timed-out request, an API the broker does not serve.
// Runs on the caller's main thread (the CLI, tests, tools).
import { ErrorCode } from '../shared/kafka-error-codes.js';

/**
 * Kafka's error codes beyond the ones Fjord itself answers with (src/shared/kafka-error-codes.ts), so a code
 * from any Kafka-compatible broker gets its name (Kafka's `Errors` enum).
 */
const OTHER_ERROR_NAMES: Readonly<Record<number, string>> = {
  4: 'INVALID_FETCH_SIZE',
  8: 'BROKER_NOT_AVAILABLE',
  9: 'REPLICA_NOT_AVAILABLE',
  11: 'STALE_CONTROLLER_EPOCH',
  13: 'NETWORK_EXCEPTION',
  20: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  28: 'INVALID_COMMIT_OFFSET_SIZE',
  29: 'TOPIC_AUTHORIZATION_FAILED',
  30: 'GROUP_AUTHORIZATION_FAILED',
  31: 'CLUSTER_AUTHORIZATION_FAILED',
  33: 'UNSUPPORTED_SASL_MECHANISM',
  34: 'ILLEGAL_SASL_STATE',
  39: 'INVALID_REPLICA_ASSIGNMENT',
  41: 'NOT_CONTROLLER',
  48: 'INVALID_TXN_STATE',
  49: 'INVALID_PRODUCER_ID_MAPPING',
  50: 'INVALID_TRANSACTION_TIMEOUT',
  51: 'CONCURRENT_TRANSACTIONS',
  52: 'TRANSACTION_COORDINATOR_FENCED',
  55: 'OPERATION_NOT_ATTEMPTED',
  57: 'LOG_DIR_NOT_FOUND',
  58: 'SASL_AUTHENTICATION_FAILED',
  60: 'REASSIGNMENT_IN_PROGRESS',
  61: 'DELEGATION_TOKEN_AUTH_DISABLED',
  62: 'DELEGATION_TOKEN_NOT_FOUND',
  63: 'DELEGATION_TOKEN_OWNER_MISMATCH',
  64: 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED',
  65: 'DELEGATION_TOKEN_AUTHORIZATION_FAILED',
  66: 'DELEGATION_TOKEN_EXPIRED',
  67: 'INVALID_PRINCIPAL_TYPE',
  70: 'FETCH_SESSION_ID_NOT_FOUND',
  71: 'INVALID_FETCH_SESSION_EPOCH',
  72: 'LISTENER_NOT_FOUND',
  73: 'TOPIC_DELETION_DISABLED',
  74: 'FENCED_LEADER_EPOCH',
  75: 'UNKNOWN_LEADER_EPOCH',
  77: 'STALE_BROKER_EPOCH',
  78: 'OFFSET_NOT_AVAILABLE',
  80: 'PREFERRED_LEADER_NOT_AVAILABLE',
  83: 'ELIGIBLE_LEADERS_NOT_AVAILABLE',
  84: 'ELECTION_NOT_NEEDED',
  85: 'NO_REASSIGNMENT_IN_PROGRESS',
  88: 'UNSTABLE_OFFSET_COMMIT',
  89: 'THROTTLING_QUOTA_EXCEEDED',
  90: 'PRODUCER_FENCED',
  91: 'RESOURCE_NOT_FOUND',
  92: 'DUPLICATE_RESOURCE',
  93: 'UNACCEPTABLE_CREDENTIAL',
  94: 'INCONSISTENT_VOTER_SET',
  95: 'INVALID_UPDATE_VERSION',
  96: 'FEATURE_UPDATE_FAILED',
  97: 'PRINCIPAL_DESERIALIZATION_FAILURE',
  98: 'SNAPSHOT_NOT_FOUND',
  99: 'POSITION_OUT_OF_RANGE',
  101: 'DUPLICATE_BROKER_REGISTRATION',
  102: 'BROKER_ID_NOT_REGISTERED',
  103: 'INCONSISTENT_TOPIC_ID',
  104: 'INCONSISTENT_CLUSTER_ID',
  105: 'TRANSACTIONAL_ID_NOT_FOUND',
  106: 'FETCH_SESSION_TOPIC_ID_ERROR',
  107: 'INELIGIBLE_REPLICA',
  108: 'NEW_LEADER_ELECTED',
  109: 'OFFSET_MOVED_TO_TIERED_STORAGE',
  110: 'FENCED_MEMBER_EPOCH',
  111: 'UNRELEASED_INSTANCE_ID',
  112: 'UNSUPPORTED_ASSIGNOR',
  113: 'STALE_MEMBER_EPOCH',
  114: 'MISMATCHED_ENDPOINT_TYPE',
  115: 'UNSUPPORTED_ENDPOINT_TYPE',
  116: 'UNKNOWN_CONTROLLER_ID',
  117: 'UNKNOWN_SUBSCRIPTION_ID',
  118: 'TELEMETRY_TOO_LARGE',
  119: 'INVALID_REGISTRATION',
  120: 'TRANSACTION_ABORTABLE',
};

const NAMES = new Map<number, string>([
  ...Object.entries(ErrorCode).map(([name, code]) => [code, name] as [number, string]),
  ...Object.entries(OTHER_ERROR_NAMES).map(([code, name]) => [Number(code), name] as [number, string]),
]);

/** Codes Kafka marks RetriableException: the same request can succeed later (after a metadata refresh). */
const RETRIABLE = new Set([2, 3, 5, 6, 7, 9, 13, 14, 15, 16, 19, 20, 41, 51, 56, 70, 71, 72, 74, 75, 78, 80, 83, 88, 89, 100, 103, 106]);

/** Kafka's name for any error code, e.g. 3 → UNKNOWN_TOPIC_OR_PARTITION. */
export function kafkaErrorName(code: number): string {
  return NAMES.get(code) ?? `UNKNOWN_ERROR_CODE_${code}`;
}

export function isRetriable(code: number): boolean {
  return RETRIABLE.has(code);
}

/** A broker answered with a non-zero Kafka error code. `context` says for what (topic, partition, group). */
export class KafkaResponseError extends Error {
  override readonly name = 'KafkaResponseError';
  readonly errorName: string;
  readonly retriable: boolean;

  constructor(
    readonly code: number,
    readonly context: string,
    readonly brokerMessage: string | null = null,
    /** Whether retrying can help; a caller that knows better (an unknown topic it will not create) says no. */
    retriable = isRetriable(code),
  ) {
    super(`${context}: ${kafkaErrorName(code)} (${code})${brokerMessage ? `: ${brokerMessage}` : ''}`);
    this.errorName = kafkaErrorName(code);
    this.retriable = retriable;
  }
}

/** Throws KafkaResponseError unless `code` is 0. */
export function checkErrorCode(code: number, context: string, brokerMessage: string | null = null): void {
  if (code !== 0) throw new KafkaResponseError(code, context, brokerMessage);
}

/**
 * No TCP connection could be made (refused, unresolvable host, timed out), or it broke. Retriable (another broker
 * or a new leader may answer) unless the client never reached any broker: then the address is wrong.
 */
export class BrokerUnreachableError extends Error {
  override readonly name = 'BrokerUnreachableError';
  constructor(
    readonly address: string,
    readonly reason: string,
    readonly retriable = true,
  ) {
    super(`cannot reach the broker at ${address} (${reason})`);
  }
}

/** No answer within the request timeout. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  constructor(
    readonly address: string,
    readonly api: string,
    readonly timeoutMs: number,
  ) {
    super(`${api} to ${address} got no answer within ${timeoutMs} ms`);
  }
}

/** The broker serves none of the versions of an API this client can speak. */
export class UnsupportedApiError extends Error {
  override readonly name = 'UnsupportedApiError';
  constructor(
    readonly address: string,
    readonly api: string,
    detail: string,
  ) {
    super(`the broker at ${address} does not serve ${api} in a version fjord speaks (${detail})`);
  }
}
