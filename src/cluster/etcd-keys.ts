// The etcd key layout of one Fjord cluster and the JSON value of each key, with the checks that turn a value
// read back from etcd into a typed record. Main thread (whoever holds the etcd client).
//
// Every key lives under the cluster's root, `/fjord/<cluster name>/` (an etcd3 namespace, so the keys below are
// relative to it and one etcd can hold several clusters, e.g. one per test):
//
//   cluster-id                           the cluster id (Kafka's 22-char base64url UUID), written once by the
//                                        first broker to start; every broker answers clients with it
//   brokers/<nodeId>                     BrokerRegistration, put with the broker's lease: gone when it expires
//   election/controller/<lease id>       the candidate's nodeId (decimal text), etcd3's election: the key with the
//                                        lowest create revision is the controller
//   state/topics/<topic name>                  TopicRecord
//   state/assignments/<topic name>             AssignmentRecord
//   state/partitions/<topic name>/<partition>  PartitionStateRecord (partition as decimal text)
//   state/reassignments/<topic name>/<partition>  ReassignmentRecord, while a reassignment is under way
//   security/scram/<user>/<mechanism>    a user's SCRAM credential (StoredScramCredential JSON: mechanism, base64
//                                        salt, iterations, base64 storedKey and serverKey); the user name
//                                        URI-encoded (encodeURIComponent, so never a '/'), the mechanism
//                                        SCRAM-SHA-256 or SCRAM-SHA-512
//   security/acls/<resource type>/<pattern type>/<resource name>/<principal>/<host>/<operation>/<permission>
//                                        one ACL (acl-binding.ts's stored JSON: the same seven fields by name);
//                                        resource name, principal and host URI-encoded, the rest Kafka's names
//                                        (TOPIC/LITERAL/READ/ALLOW), so an ACL is its key and is stored once
//
// The cluster state shares the state/ prefix so one watch sees all of it in a single revision order (a topic's
// creation before its partitions' states, a leader change after the assignment that allowed it).
//
// Values are JSON (UTF-8), not msgpack: they are small, written rarely (registration, topic creation, a leader or
// ISR change), and an operator can read and repair them with `etcdctl get --prefix /fjord/`. A topic name is a
// Kafka topic name ([a-zA-Z0-9._-], checked by the caller), so it never holds a '/'.

import type { AclBinding } from '../security/acl-binding.js';

export const CLUSTER_ID_KEY = 'cluster-id';
export const BROKERS_PREFIX = 'brokers/';
export const ELECTION_NAME = 'controller';
export const STATE_PREFIX = 'state/';
export const TOPICS_PREFIX = `${STATE_PREFIX}topics/`;
export const ASSIGNMENTS_PREFIX = `${STATE_PREFIX}assignments/`;
export const PARTITIONS_PREFIX = `${STATE_PREFIX}partitions/`;
export const REASSIGNMENTS_PREFIX = `${STATE_PREFIX}reassignments/`;
export const SCRAM_CREDENTIALS_PREFIX = 'security/scram/';
export const ACLS_PREFIX = 'security/acls/';

export function clusterRoot(clusterName: string): string {
  const problem = clusterNameProblem(clusterName);
  if (problem !== null) throw new Error(problem);
  return `/fjord/${clusterName}/`;
}

/** Why a cluster name cannot name a root key, or null. Also checks `fjord.cluster.name` at start-up. */
export function clusterNameProblem(clusterName: string): string | null {
  return /^[a-zA-Z0-9._-]+$/.test(clusterName) ? null : `cluster name "${clusterName}" must match [a-zA-Z0-9._-]+`;
}

/** Why an etcd client URL is unusable, or null: http://host:port, or https://host:port for TLS (etcd-tls.ts). */
export function etcdEndpointProblem(endpoint: string): string | null {
  return /^https?:\/\/[^/\s]+$/.test(endpoint) ? null : `etcd endpoint "${endpoint}" must look like http://host:port or https://host:port`;
}

/**
 * Why a list of etcd client URLs is unusable, or null: each must be usable, and all of one scheme (the client speaks
 * TLS to every endpoint or to none). Checks `fjord.etcd.endpoints` at start-up and every client opened.
 */
export function etcdEndpointsProblem(endpoints: readonly string[]): string | null {
  for (const endpoint of endpoints) {
    const problem = etcdEndpointProblem(endpoint);
    if (problem !== null) return problem;
  }
  const secure = endpoints.filter(isTlsEndpoint).length;
  if (secure > 0 && secure < endpoints.length) return `etcd endpoints ${endpoints.join(',')} mix http:// and https://: list every endpoint with one scheme`;
  return null;
}

/** An https:// endpoint: the client speaks TLS to it. */
export function isTlsEndpoint(endpoint: string): boolean {
  return endpoint.startsWith('https://');
}

export const brokerKey = (nodeId: number): string => `${BROKERS_PREFIX}${nodeId}`;
export const topicKey = (topic: string): string => `${TOPICS_PREFIX}${topic}`;
export const assignmentKey = (topic: string): string => `${ASSIGNMENTS_PREFIX}${topic}`;
export const partitionKey = (topic: string, partition: number): string => `${PARTITIONS_PREFIX}${topic}/${partition}`;
export const reassignmentKey = (topic: string, partition: number): string => `${REASSIGNMENTS_PREFIX}${topic}/${partition}`;
export const topicReassignmentsPrefix = (topic: string): string => `${REASSIGNMENTS_PREFIX}${topic}/`;
export const scramCredentialKey = (user: string, mechanism: string): string => `${SCRAM_CREDENTIALS_PREFIX}${encodeURIComponent(user)}/${mechanism}`;

/** The user and mechanism a security/scram/ key names, or null for a key not of that shape. */
export function parseScramCredentialKey(key: string): { user: string; mechanism: string } | null {
  const parts = key.slice(SCRAM_CREDENTIALS_PREFIX.length).split('/');
  if (!key.startsWith(SCRAM_CREDENTIALS_PREFIX) || parts.length !== 2 || parts[0] === '') return null;
  try {
    return { user: decodeURIComponent(parts[0]!), mechanism: parts[1]! };
  } catch {
    return null;
  }
}

/** An ACL's key: every field, the free-text ones URI-encoded (encodeURIComponent, so never a '/'). */
export function aclKey(acl: AclBinding): string {
  const { resourceType, patternType, resourceName, principal, host, operation, permissionType } = acl;
  return `${ACLS_PREFIX}${[resourceType, patternType, encodeURIComponent(resourceName), encodeURIComponent(principal), encodeURIComponent(host), operation, permissionType].join('/')}`;
}
export const topicPartitionsPrefix = (topic: string): string => `${PARTITIONS_PREFIX}${topic}/`;

export interface BrokerListener {
  name: string;
  host: string;
  port: number;
}

/** brokers/<nodeId>: {"nodeId":1,"listeners":[{"name":"PLAINTEXT","host":"127.0.0.1","port":9092}],"rack":null,"logDirs":["/data"]}; a REPLICATION listener too when replication.listener is set */
export interface BrokerRegistration {
  nodeId: number;
  listeners: BrokerListener[];
  rack: string | null;
  logDirs: string[];
}

/** state/topics/<name>: {"topicId":"<22-char base64url Kafka UUID>","partitionCount":3,"configs":{"cleanup.policy":"compact"}} */
export interface TopicRecord {
  topicId: string;
  partitionCount: number;
  configs: Record<string, string>;
}

/** state/assignments/<name>: {"replicas":[[1,2],[2,3],[3,1]]}: replicas[p] lists partition p's replicas, preferred leader first. */
export interface AssignmentRecord {
  replicas: number[][];
}

/** state/partitions/<name>/<p>: {"leader":1,"leaderEpoch":0,"isr":[1,2]}; leader -1: no leader (offline). */
export interface PartitionStateRecord {
  leader: number;
  leaderEpoch: number;
  isr: number[];
}

/**
 * state/reassignments/<name>/<p>: {"target":[2,3],"original":[1,2]}: the replicas a partition moves to (preferred
 * leader first) and those it had when the move began (a cancel moves it back there).
 */
export interface ReassignmentRecord {
  target: number[];
  original: number[];
}

export class ClusterRecordError extends Error {}

export function encodeRecord(record: BrokerRegistration | TopicRecord | AssignmentRecord | PartitionStateRecord | ReassignmentRecord): string {
  return JSON.stringify(record);
}

function parseObject(key: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ClusterRecordError(`etcd key ${key} does not hold JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ClusterRecordError(`etcd key ${key} does not hold an object`);
  return value as Record<string, unknown>;
}

const isInt = (v: unknown, min: number): v is number => Number.isSafeInteger(v) && (v as number) >= min;
const isIntList = (v: unknown, min: number): v is number[] => Array.isArray(v) && v.every((x) => isInt(x, min));
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function check(ok: boolean, key: string, what: string): void {
  if (!ok) throw new ClusterRecordError(`etcd key ${key}: ${what}`);
}

export function decodeBrokerRegistration(key: string, text: string): BrokerRegistration {
  const v = parseObject(key, text);
  check(isInt(v.nodeId, 0), key, 'nodeId must be an integer >= 0');
  check(v.rack === null || typeof v.rack === 'string', key, 'rack must be a string or null');
  check(isStringList(v.logDirs), key, 'logDirs must be a list of strings');
  const listeners = v.listeners;
  check(
    Array.isArray(listeners) && listeners.every((l: Record<string, unknown>) => typeof l?.name === 'string' && typeof l.host === 'string' && isInt(l.port, 0)),
    key,
    'listeners must be a list of {name, host, port}',
  );
  return { nodeId: v.nodeId as number, listeners: listeners as BrokerListener[], rack: v.rack as string | null, logDirs: v.logDirs as string[] };
}

export function decodeTopicRecord(key: string, text: string): TopicRecord {
  const v = parseObject(key, text);
  check(typeof v.topicId === 'string', key, 'topicId must be a string');
  check(isInt(v.partitionCount, 1), key, 'partitionCount must be an integer >= 1');
  const configs = v.configs as Record<string, unknown>;
  check(
    typeof configs === 'object' && configs !== null && Object.values(configs).every((c) => typeof c === 'string'),
    key,
    'configs must map names to strings',
  );
  return { topicId: v.topicId as string, partitionCount: v.partitionCount as number, configs: configs as Record<string, string> };
}

export function decodeAssignmentRecord(key: string, text: string): AssignmentRecord {
  const v = parseObject(key, text);
  check(Array.isArray(v.replicas) && v.replicas.every((r) => isIntList(r, 0) && r.length > 0), key, 'replicas must be a list of non-empty broker id lists');
  return { replicas: v.replicas as number[][] };
}

export function decodePartitionStateRecord(key: string, text: string): PartitionStateRecord {
  const v = parseObject(key, text);
  check(isInt(v.leader, -1), key, 'leader must be a broker id or -1');
  check(isInt(v.leaderEpoch, 0), key, 'leaderEpoch must be an integer >= 0');
  check(isIntList(v.isr, 0), key, 'isr must be a list of broker ids');
  return { leader: v.leader as number, leaderEpoch: v.leaderEpoch as number, isr: v.isr as number[] };
}

export function decodeReassignmentRecord(key: string, text: string): ReassignmentRecord {
  const v = parseObject(key, text);
  check(isIntList(v.target, 0) && (v.target as number[]).length > 0, key, 'target must be a non-empty list of broker ids');
  check(isIntList(v.original, 0) && (v.original as number[]).length > 0, key, 'original must be a non-empty list of broker ids');
  return { target: v.target as number[], original: v.original as number[] };
}
