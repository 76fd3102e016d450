// Every broker configuration key Fjord reads: Kafka's names where Kafka has the setting, fjord.* for Fjord's
// own. The broker-only keys are declared here; the topic keys' defaults (src/shared/topic-config.ts) and the
// worker and group keys (src/shared/worker-settings.ts) live where workers can import them. Together they
// give the broker config's type, its parser, DescribeConfigs' answers and docs/configuration.md. Main thread.
import { availableParallelism } from 'node:os';
import { bool, type ConfigTable, custom, int, INT_MAX, type KeySpec, list, long, namesOf, oneOf } from '../shared/config-table.js';
import { clusterNameProblem, etcdEndpointsProblem } from '../cluster/etcd-keys.js';
import { ETCD_SSL_CA_LOCATION_KEY, ETCD_SSL_CERTIFICATE_LOCATION_KEY, ETCD_SSL_KEY_LOCATION_KEY } from '../cluster/etcd-tls.js';
import { TOPIC_CONFIG_TABLE } from '../shared/topic-config.js';
import { GROUP_CONFIG_TABLE, WORKER_CONFIG_TABLE } from '../shared/worker-settings.js';
import { formatPerIpOverrides, parsePerIpOverrides } from '../network/connection-quotas.js';
import { SASL_MECHANISM_NAMES, type SaslMechanismName } from '../security/sasl-mechanism.js';
import { formatPrincipalMappingRules, type PrincipalMappingRule, parsePrincipalMappingRules } from '../security/ssl-principal-mapping.js';
import { principalProblem } from '../security/acl-binding.js';
import { AUTHORIZER_CLASS_NAMES } from '../security/authorizer.js';
import {
  DEFAULT_PROTOCOL_MAP,
  formatAddress,
  formatListenerList,
  formatProtocolMap,
  type HttpListener,
  type ListenerAddress,
  type NamedListener,
  parseAddress,
  parseHttpListener,
  parseListenerList,
  parseProtocolMap,
  type SecurityProtocol,
} from './listener-config.js';

const MIB = 1024 * 1024;

export const HTTP_LISTENER_KEY = 'fjord.http.listener';

export const BROKER_CONFIG_TABLE = {
  nodeId: int({ key: 'node.id', aliases: { 'broker.id': 1 }, default: 1, min: 0, doc: "This broker's id in the cluster." }),
  logDirs: list({
    key: 'log.dirs',
    aliases: { 'log.dir': 1 },
    default: ['./data'],
    doc: 'Comma-separated data directories, one per disk (JBOD). A new partition goes to an online dir that is not full (16 MiB free or more): the one with the most free space per partition.',
  }),
  listeners: custom<NamedListener[]>({
    key: 'listeners',
    default: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }],
    parse: (name, text) => parseListenerList(name, text, true),
    format: formatListenerList,
    doc: 'Where the Kafka listeners bind: NAME://host:port, comma-separated (port 0 picks a free port); each name has a security protocol in listener.security.protocol.map.',
  }),
  /** Empty: every listener advertises its bound address. */
  advertisedListeners: custom<NamedListener[]>({
    key: 'advertised.listeners',
    default: [],
    parse: (name, text) => (text === '' ? [] : parseListenerList(name, text, false)),
    format: formatListenerList,
    doc: 'The addresses given to clients in Metadata, per listener: NAME://host:port, comma-separated, each name one of listeners. A listener not named here advertises its bound address.',
  }),
  listenerProtocols: custom<ReadonlyMap<string, SecurityProtocol>>({
    key: 'listener.security.protocol.map',
    default: DEFAULT_PROTOCOL_MAP,
    parse: parseProtocolMap,
    format: formatProtocolMap,
    doc: 'The security protocol of each listener name: NAME:PROTOCOL, comma-separated: PLAINTEXT, SSL (TLS), SASL_PLAINTEXT (SASL authentication), SASL_SSL (both).',
  }),
  saslEnabledMechanisms: custom<SaslMechanismName[]>({
    key: 'sasl.enabled.mechanisms',
    default: ['SCRAM-SHA-256', 'SCRAM-SHA-512'],
    parse: parseSaslMechanisms,
    format: (names) => names.join(','),
    doc: 'The SASL mechanisms SASL_PLAINTEXT and SASL_SSL listeners offer, comma-separated: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (PLAIN sends the password itself: enable it on SASL_SSL listeners only).',
  }),
  authenticationTimeoutMs: long({
    key: 'fjord.authentication.timeout.ms',
    default: 10_000,
    min: 1,
    max: INT_MAX,
    doc: 'A connection to a SASL listener that has not authenticated this long after it was accepted is closed.',
  }),
  failedAuthenticationDelayMs: long({
    key: 'connection.failed.authentication.delay.ms',
    default: 100,
    min: 0,
    max: INT_MAX,
    doc: 'A failed authentication is answered this late (SASL_AUTHENTICATION_FAILED), then the connection is closed: a client guessing passwords gets one guess per connection and delay.',
  }),
  sslKeystoreType: oneOf(['PEM'], { key: 'ssl.keystore.type', default: 'PEM', doc: 'The format of ssl.keystore.location: PEM.' }),
  sslKeystoreLocation: custom<string>({
    key: 'ssl.keystore.location',
    default: '',
    parse: (_name, text) => text,
    format: (path) => path,
    doc: 'A PEM file with the private key (encrypted with ssl.key.password, or not) and the certificate chain of the SSL and SASL_SSL listeners. Read at start-up and again whenever it changes.',
  }),
  sslKeyPassword: custom<string>({
    key: 'ssl.key.password',
    default: '',
    sensitive: true,
    parse: (_name, text) => text,
    format: (password) => (password === '' ? '' : '[hidden]'),
    doc: 'The password of an encrypted private key in ssl.keystore.location; empty: the key is not encrypted. Never shown: DescribeConfigs answers it as sensitive, logs as [hidden].',
  }),
  sslPrincipalMappingRules: custom<PrincipalMappingRule[]>({
    key: 'ssl.principal.mapping.rules',
    default: [{ kind: 'default' }],
    parse: parsePrincipalMappingRules,
    format: formatPrincipalMappingRules,
    doc: "How a client certificate's distinguished name (RFC 2253: CN=alice,OU=apps,O=Acme) becomes its principal's name, as Kafka: RULE:pattern/replacement/[L|U] rules and DEFAULT (the name as it is), comma-separated, the first matching the whole name winning.",
  }),
  sslTruststoreType: oneOf(['PEM'], { key: 'ssl.truststore.type', default: 'PEM', doc: 'The format of ssl.truststore.location: PEM.' }),
  sslTruststoreLocation: custom<string>({
    key: 'ssl.truststore.location',
    default: '',
    parse: (_name, text) => text,
    format: (path) => path,
    doc: "A PEM file with the CA certificates client certificates are checked against (ssl.client.auth); empty: Node's default CAs. Read at start-up and again whenever it changes.",
  }),
  sslClientAuth: oneOf(['none', 'requested', 'required'], {
    key: 'ssl.client.auth',
    default: 'none',
    doc: 'Whether SSL listeners ask clients for a certificate: none; requested (checked if given); required (a connection without a valid one is refused). A valid certificate makes its subject the principal.',
  }),
  /** The admin HTTP listener (/metrics, /health, /ready); null: off. */
  httpListener: custom<HttpListener | null>({
    key: HTTP_LISTENER_KEY,
    default: { scheme: 'http', host: '127.0.0.1', port: 9644 },
    parse: (name, text) => (text === '' ? null : parseHttpListener(name, text)),
    format: (listener) => (listener === null ? '' : formatAddress(listener.scheme, listener)),
    doc: "Where the admin HTTP listener binds (GET /metrics, /health, /ready): http://host:port, or https://host:port to serve TLS with ssl.keystore.location's key and certificate (and its reloads); port 0 picks a free port; empty turns it off.",
  }),
  httpAuthentication: oneOf(['auto', 'required', 'none'], {
    key: 'fjord.http.authentication',
    default: 'auto',
    doc: "Whether every admin HTTP request needs HTTP Basic authentication as a broker user (the password checked against the user's SCRAM credential): auto (required unless fjord.http.listener binds a loopback address: 127.0.0.0/8, ::1, localhost), required, or none (a warning is logged at start when the listener is not on loopback). Use https:// with it: Basic sends the password in every request.",
  }),
  /** The replication listener (followers fetch over it; src/replication/); null: off. */
  replicationListener: custom<ListenerAddress | null>({
    key: 'replication.listener',
    default: null,
    parse: (name, text) => (text === '' ? null : parseAddress(name, text, 'REPLICATION', 'REPLICATION://host:port (or empty to turn it off)', true)),
    format: (address) => formatAddress('REPLICATION', address),
    doc: 'Where the replication listener binds (followers fetch from this broker over it, msgpack over TCP): REPLICATION://host:port (port 0 picks a free port); empty (the default) turns it off.',
  }),
  replicationSecurityProtocol: oneOf(['PLAINTEXT', 'SSL'], {
    key: 'fjord.replication.security.protocol',
    default: 'PLAINTEXT',
    doc: "How brokers replicate to each other (every broker of a cluster must say the same): PLAINTEXT, or SSL (mutual TLS: the replication listener serves ssl.keystore.location's certificate and takes only followers whose certificate ssl.truststore.location's CAs signed; a follower verifies the leader's the same way).",
  }),
  replicaLagTimeMaxMs: long({
    key: 'replica.lag.time.max.ms',
    default: 30_000,
    min: 1,
    max: INT_MAX,
    doc: 'A follower that has not caught up with the leader for this long leaves the ISR; it rejoins once caught up.',
  }),
  autoCreateTopics: bool({
    key: 'auto.create.topics.enable',
    default: true,
    doc: 'Create a topic when a client asks for its metadata (and allows auto-creation).',
  }),
  maxRequestBytes: int({ key: 'socket.request.max.bytes', default: 100 * MIB, min: 1024, doc: 'Largest request frame; a bigger one closes the connection.' }),
  maxConnections: int({
    key: 'max.connections',
    default: 10_000,
    min: 1,
    max: 1_000_000,
    doc: 'Client connections accepted at once over all Kafka listeners (counted from the TCP connection, before TLS or SASL); more are refused.',
  }),
  maxConnectionsPerIp: int({
    key: 'max.connections.per.ip',
    default: INT_MAX,
    min: 0,
    doc: 'Client connections accepted at once from one address over all Kafka listeners; more are refused. 0 allows only the addresses max.connections.per.ip.overrides names.',
  }),
  maxConnectionsPerIpOverrides: custom<ReadonlyMap<string, number>>({
    key: 'max.connections.per.ip.overrides',
    default: new Map(),
    parse: parsePerIpOverrides,
    format: formatPerIpOverrides,
    doc: 'Per-address limits in place of max.connections.per.ip: host:count, comma-separated (an IPv6 address in brackets).',
  }),
  idleTimeoutMs: long({ key: 'connections.max.idle.ms', default: 600_000, min: 1, doc: 'A connection idle this long is closed.' }),
  maxInFlightRequestsPerConnection: int({
    key: 'fjord.max.inflight.requests.per.connection',
    default: 100,
    min: 1,
    max: 100_000,
    doc: 'Requests read from one connection before earlier ones are answered; beyond it the socket is paused (backpressure).',
  }),
  connectionUnsentBytesMax: int({
    key: 'fjord.connection.unsent.bytes.max',
    default: 8 * MIB,
    min: 64 * 1024,
    doc: 'Response bytes one connection may hold (unsent response frames, records read for its fetches): beyond it the connection reads no further request until its socket drains (it is muted), and its next fetch waits before reading records. A connection holding nothing may still take one whole response.',
  }),
  responseMemoryBytesMax: long({
    key: 'fjord.response.memory.bytes.max',
    default: 512 * MIB,
    min: MIB,
    doc: 'Response bytes all connections together may hold (records read for fetches, response frames not yet sent); beyond it fetches answer with fewer or no records rather than take more memory.',
  }),
  requestReadTimeoutMs: long({
    key: 'fjord.request.read.timeout.ms',
    default: 30_000,
    min: 1,
    max: INT_MAX,
    doc: 'A request whose first byte arrived this long ago and is still incomplete closes its connection (a client trickling bytes). Time between requests and time the connection is muted do not count.',
  }),
  maxFetchWaiters: int({
    key: 'fjord.max.fetch.waiters',
    default: 10_000,
    min: 0,
    max: 1_000_000,
    doc: 'Long-polling fetches waiting for data at once; beyond it a fetch answers immediately.',
  }),
  /** Always 1 on a standalone broker (checked at start-up). */
  defaultReplicationFactor: int({
    key: 'default.replication.factor',
    default: 1,
    min: 1,
    max: 32767,
    doc: 'Replicas of an auto-created topic (and of CreateTopics asking for -1). A standalone broker holds the only replica of every partition, so only 1 is accepted.',
  }),
  numPartitions: int({ key: 'num.partitions', default: 1, min: 1, max: 100_000, doc: 'Partitions of an auto-created topic.' }),
  cleanerEnable: bool({ key: 'log.cleaner.enable', default: true, doc: 'Run the log cleaner, which compacts topics whose cleanup.policy includes compact.' }),
  offsetsTopicPartitions: int({
    key: 'offsets.topic.num.partitions',
    default: 50,
    min: 1,
    max: 10_000,
    doc: 'Partitions of __consumer_offsets (created on first group use); a group lives in the partition its id hashes to. Fixed once the topic exists.',
  }),
  offsetsTopicReplicationFactor: int({
    key: 'offsets.topic.replication.factor',
    default: 1,
    min: 1,
    max: 32767,
    doc: "Replicas of each __consumer_offsets partition. A standalone broker holds the only replica, so only 1 is accepted there (Kafka's own default is 3); in a cluster, at most the live brokers when the topic is first created.",
  }),
  offsetsCommitTimeoutMs: int({
    key: 'offsets.commit.timeout.ms',
    default: 5000,
    min: 1,
    doc: 'In a cluster, how long an offset commit (or a group change) waits for every in-sync replica of its __consumer_offsets partition before it fails and the client retries.',
  }),
  offsetsTopicSegmentBytes: int({
    key: 'offsets.topic.segment.bytes',
    default: 100 * MIB,
    min: 14,
    doc: 'Segment size of __consumer_offsets (small, so compaction keeps it short).',
  }),
  workers: int({
    key: 'fjord.workers',
    default: Math.max(1, availableParallelism()),
    min: 1,
    max: 256,
    doc: 'Partition worker threads. Default: one per core.',
  }),
  ringBytes: int({
    key: 'fjord.ring.bytes',
    default: 32 * MIB,
    min: 64 * 1024,
    max: 1024 * MIB,
    doc: 'Size of each data-path ring (two per worker); a power of two, at least 4 x message.max.bytes.',
  }),
  maxBacklogRequests: int({
    key: 'fjord.max.backlog.requests',
    default: 4096,
    min: 1,
    max: 1_000_000,
    doc: 'Requests that may wait for ring space per worker before new ones get a retriable error.',
  }),
  logLevel: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal'], { key: 'fjord.log.level', default: 'info', doc: 'Lowest log level written.' }),
  /** 'auto': pretty when stdout is a terminal, JSON otherwise. */
  logFormat: oneOf(['auto', 'json', 'pretty'], {
    key: 'fjord.log.format',
    default: 'auto',
    doc: 'json: one pino JSON object per line; pretty: one human-readable line per entry; auto: pretty when stdout is a terminal, json otherwise.',
  }),
  /** '' (the default): no authorizer, everything is allowed and the ACL APIs answer SECURITY_DISABLED. */
  authorizerClassName: custom<string>({
    key: 'authorizer.class.name',
    default: '',
    parse: parseAuthorizerClassName,
    format: String,
    doc: `The authorizer that keeps ACLs and decides with them: ${AUTHORIZER_CLASS_NAMES.join(' or ')} (both are Fjord's ACL authorizer); empty (the default): none, every request is allowed and DescribeAcls, CreateAcls and DeleteAcls answer SECURITY_DISABLED. The request APIs do not check ACLs yet.`,
  }),
  superUsers: custom<string[]>({
    key: 'super.users',
    default: [],
    parse: parseSuperUsers,
    format: (principals) => principals.join(';'),
    doc: 'Principals the authorizer allows everything, whatever the ACLs say: Type:name, semicolon-separated (User:admin;User:CN=broker,O=Acme).',
  }),
  allowEveryoneIfNoAclFound: bool({
    key: 'allow.everyone.if.no.acl.found',
    default: false,
    doc: 'With an authorizer, whether a resource no ACL covers (no literal, "*" or prefixed ACL of its type matches its name) is open to everyone; false: only super users may use it.',
  }),
} satisfies ConfigTable;

/** Bounds on what /metrics reports. */
export const METRICS_CONFIG_TABLE = {
  topicLabelsMax: int({
    key: 'fjord.metrics.topic.labels.max',
    default: 1000,
    min: 0,
    max: 100_000,
    doc: 'Topics that get their own topic label in the per-topic traffic metrics; the traffic of topics beyond it is counted under topic="(other)".',
  }),
  lagGroupsMax: int({
    key: 'fjord.metrics.lag.groups.max',
    default: 100,
    min: 0,
    max: 10_000,
    doc: 'Consumer groups whose lag a /metrics scrape computes (the first ones by group id); 0 turns lag metrics off.',
  }),
} satisfies ConfigTable;

/** Joining a cluster through etcd; with no endpoints the broker is standalone. */
export const CLUSTER_CONFIG_TABLE = {
  /** Empty: standalone (no etcd). */
  etcdEndpoints: custom<string[]>({
    key: 'fjord.etcd.endpoints',
    default: [],
    parse: parseEtcdEndpoints,
    format: (endpoints) => endpoints.join(','),
    doc: 'Comma-separated etcd client URLs (http://host:port, or https://host:port for TLS: every one of one scheme), every member of the etcd cluster; empty: a standalone broker. With etcd the broker registers, sees the other live brokers and takes part in the controller election.',
  }),
  etcdSslCaLocation: custom<string>({
    key: ETCD_SSL_CA_LOCATION_KEY,
    default: '',
    parse: (_name, text) => text,
    format: (path) => path,
    doc: "A PEM file with the CA certificates etcd's server certificate is checked against (https:// endpoints); empty: Node's default CAs. Read at start-up.",
  }),
  etcdSslCertificateLocation: custom<string>({
    key: ETCD_SSL_CERTIFICATE_LOCATION_KEY,
    default: '',
    parse: (_name, text) => text,
    format: (path) => path,
    doc: "A PEM file with the client certificate (then its chain) the broker presents to etcd (https:// endpoints; for etcd's --client-cert-auth), with fjord.etcd.ssl.key.location; empty: none. Read at start-up.",
  }),
  etcdSslKeyLocation: custom<string>({
    key: ETCD_SSL_KEY_LOCATION_KEY,
    default: '',
    parse: (_name, text) => text,
    format: (path) => path,
    doc: 'A PEM file with the unencrypted private key of fjord.etcd.ssl.certificate.location; empty: none. Read at start-up.',
  }),
  clusterName: custom<string>({
    key: 'fjord.cluster.name',
    default: 'fjord',
    parse: (name, text) => {
      const problem = clusterNameProblem(text);
      if (problem !== null) throw new Error(`${name}: ${problem}`);
      return text;
    },
    format: String,
    doc: "The cluster's namespace in etcd (its keys live under /fjord/<name>/), so one etcd can hold several clusters: [a-zA-Z0-9._-]+.",
  }),
  /** null: no rack. */
  rack: custom<string | null>({
    key: 'broker.rack',
    default: null,
    parse: (_name, text) => (text === '' ? null : text),
    format: (rack) => rack ?? '',
    doc: "This broker's rack, given to clients in Metadata and DescribeCluster; empty: none.",
  }),
  sessionTimeoutMs: int({
    key: 'broker.session.timeout.ms',
    default: 4000,
    min: 1000,
    max: 300_000,
    doc: "The TTL of this broker's etcd lease (rounded up to whole seconds; etcd raises a TTL below its own minimum, about 2 s): a broker that stops renewing it (dead, frozen, cut off) leaves the live brokers and the controller election this long after its last renewal, and its partitions get new leaders. Kafka's default is 9 s; 4 s keeps failover after a crash under 5 s.",
  }),
  etcdConnectTimeoutMs: int({
    key: 'fjord.etcd.connect.timeout.ms',
    default: 15_000,
    min: 100,
    max: 600_000,
    doc: 'How long start-up keeps trying to reach etcd before it fails naming the endpoints; also how long shutdown waits for etcd to take its leave.',
  }),
  autoLeaderRebalanceEnable: bool({
    key: 'auto.leader.rebalance.enable',
    default: true,
    doc: "In a cluster, the controller gives partitions back to their preferred replica (the first assigned) when too many of a broker's are led elsewhere (leader.imbalance.per.broker.percentage), checking every leader.imbalance.check.interval.seconds.",
  }),
  leaderImbalanceCheckIntervalSeconds: long({
    key: 'leader.imbalance.check.interval.seconds',
    default: 300,
    min: 1,
    // Within what one timer can wait (2^31 - 1 ms).
    max: 2_000_000,
    doc: 'How often the controller checks the leader imbalance of every live broker (auto.leader.rebalance.enable).',
  }),
  leaderImbalancePerBrokerPercentage: int({
    key: 'leader.imbalance.per.broker.percentage',
    default: 10,
    min: 0,
    max: 100,
    doc: 'The share (percent) of the partitions a broker is the preferred replica of that may be led by other brokers before the controller elects it again for those it can lead (live and in the ISR).',
  }),
} satisfies ConfigTable;

/** Every table of broker keys, in the order the reference and DescribeConfigs list them. */
export const BROKER_CONFIG_SECTIONS: ReadonlyArray<{ title: string; table: ConfigTable }> = [
  { title: 'Broker', table: BROKER_CONFIG_TABLE },
  { title: 'Cluster', table: CLUSTER_CONFIG_TABLE },
  { title: 'Topic defaults', table: TOPIC_CONFIG_TABLE },
  { title: 'Partition workers', table: WORKER_CONFIG_TABLE },
  { title: 'Consumer groups', table: GROUP_CONFIG_TABLE },
  { title: 'Metrics', table: METRICS_CONFIG_TABLE },
];

/** Broker key → its spec, for every key of every section. */
export const BROKER_CONFIG_SCHEMA: ReadonlyMap<string, KeySpec<unknown>> = new Map(
  BROKER_CONFIG_SECTIONS.flatMap(({ table }) => Object.values(table).map((spec) => [spec.key, spec] as const)),
);

/** Broker key → every name it may be given under (the key, then Kafka's older names). */
export const BROKER_KEY_NAMES: ReadonlyMap<string, readonly string[]> = new Map([...BROKER_CONFIG_SCHEMA].map(([key, spec]) => [key, namesOf(spec)]));

function parseSaslMechanisms(name: string, text: string): SaslMechanismName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.filter((n) => !(SASL_MECHANISM_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(
      `${name} must list mechanisms among ${SASL_MECHANISM_NAMES.join(', ')}, got "${text}"${unknown.length > 0 ? ` (${unknown.join(', ')} not supported)` : ''}`,
    );
  }
  return [...new Set(names)] as SaslMechanismName[];
}

function parseEtcdEndpoints(name: string, text: string): string[] {
  const endpoints = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const problem = etcdEndpointsProblem(endpoints);
  if (problem !== null) throw new Error(`${name}: ${problem}`);
  return endpoints;
}

function parseAuthorizerClassName(name: string, text: string): string {
  const className = text.trim();
  if (className === '' || (AUTHORIZER_CLASS_NAMES as readonly string[]).includes(className)) return className;
  throw new Error(`${name}: "${className}" is not an authorizer Fjord has; use ${AUTHORIZER_CLASS_NAMES.join(' or ')}, or leave it empty for none`);
}

function parseSuperUsers(name: string, text: string): string[] {
  const principals = text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const principal of principals) {
    const problem = principalProblem(principal);
    if (problem !== null) throw new Error(`${name}: ${problem}`);
  }
  return principals;
}
