// `fjord topics` against a real broker process: create, list, describe (leader, replicas, ISR, log start and
// end offsets, size, log dir, config overrides), alter (partitions, configs) and delete, with their errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { fjord } from './run-fjord.js';

let broker: BrokerProcess;
let b: string[];

beforeAll(async () => {
  broker = await startBrokerProcess({ 'num.partitions': '2' });
  b = ['--bootstrap-server', broker.bootstrap];
});
afterAll(() => broker?.stop());

describe('fjord topics', () => {
  it('creates topics (explicit and default partitions) and lists them', async () => {
    expect(await fjord(['topics', 'create', 'orders', '--partitions', '3', '--config', 'retention.ms=3600000', ...b])).toEqual({
      status: 0,
      stdout: 'created topic "orders" with 3 partitions\n',
      stderr: '',
    });
    expect((await fjord(['topics', 'create', 'defaults', ...b])).stdout).toBe('created topic "defaults" with 2 partitions\n');
    const listed = await fjord(['topics', 'list', ...b]);
    expect(listed.stdout).toBe('defaults\norders\n');
  });

  it('explains create errors: an existing topic, a bad config, a bad name', async () => {
    const again = await fjord(['topics', 'create', 'orders', ...b]);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe(
      `fjord: create topic "orders": TOPIC_ALREADY_EXISTS (36): Topic 'orders' already exists.; pick another name, or look at it with "fjord topics describe NAME"\n`,
    );
    expect((await fjord(['topics', 'create', 'orders', '--if-not-exists', ...b])).status).toBe(0);
    const badConfig = await fjord(['topics', 'create', 'x', '--config', 'retention.ms=soon', ...b]);
    expect(badConfig.status).toBe(1);
    expect(badConfig.stderr).toMatch(
      /^fjord: create topic "x": INVALID_CONFIG \(40\).*; see "fjord topics describe NAME" for the keys and values a topic takes\n$/,
    );
    const badName = await fjord(['topics', 'create', 'bad/name', ...b]);
    expect(badName.stderr).toMatch(/^fjord: create topic "bad\/name": INVALID_TOPIC_EXCEPTION \(17\).*; topic names are letters/);
  });

  it('describes partitions with offsets, size and log dir after messages arrive', async () => {
    await fjord(['produce', 'orders', '--partition', '1', ...b], 'a\nb\nc\n');
    const result = await fjord(['topics', 'describe', 'orders', ...b]);
    expect(result.status).toBe(0);
    const [head, columns, ...rows] = result.stdout.trimEnd().split('\n');
    expect(head).toMatch(/^Topic: orders {2}TopicId: \S{22} {2}Partitions: 3 {2}ReplicationFactor: 1 {2}Configs: retention.ms=3600000$/);
    expect(columns!.split(/\s+/)).toEqual(['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'OFFLINE', 'LOG-START', 'LOG-END', 'SIZE-BYTES', 'LOG-DIR']);
    const cells = rows.map((row) => row.split(/\s+/));
    expect(cells.map((c) => c.slice(0, 7))).toEqual([
      ['0', '1', '1', '1', '-', '0', '0'],
      ['1', '1', '1', '1', '-', '0', '3'],
      ['2', '1', '1', '1', '-', '0', '0'],
    ]);
    expect(Number(cells[1]![7])).toBeGreaterThan(61);
    expect(cells.map((c) => c[8])).toEqual([broker.logDir, broker.logDir, broker.logDir]);
    // Nothing under-replicated or unavailable on a healthy broker: nothing printed.
    for (const only of ['--under-replicated-partitions', '--unavailable-partitions']) {
      expect(await fjord(['topics', 'describe', 'orders', only, ...b])).toMatchObject({ status: 0, stdout: '' });
    }
  });

  it('alters partitions and configs, and refuses nonsense', async () => {
    expect((await fjord(['topics', 'alter', 'orders', '--partitions', '4', ...b])).stdout).toBe('topic "orders" now has 4 partitions (was 3)\n');
    expect((await fjord(['topics', 'alter', 'orders', '--config', 'cleanup.policy=compact', '--delete-config', 'retention.ms', ...b])).stdout).toBe(
      'topic "orders" configs updated: cleanup.policy=compact, -retention.ms\n',
    );
    const described = await fjord(['topics', 'describe', 'orders', ...b]);
    expect(described.stdout).toMatch(/Partitions: 4 .* Configs: cleanup.policy=compact\n/);
    const shrink = await fjord(['topics', 'alter', 'orders', '--partitions', '2', ...b]);
    expect(shrink.status).toBe(1);
    expect(shrink.stderr).toMatch(/^fjord: add partitions to "orders": INVALID_PARTITIONS \(37\).*; a topic can only grow/);
    const nothing = await fjord(['topics', 'alter', 'orders', ...b]);
    expect(nothing).toMatchObject({
      status: 2,
      stderr: 'fjord: nothing to change: give --partitions, --config or --delete-config; run "fjord topics alter --help" for usage\n',
    });
  });

  it('elect-leaders: a standalone broker already leads every partition as its only replica', async () => {
    const one = await fjord(['topics', 'elect-leaders', 'orders', '--partition', '0,2', ...b]);
    expect(one.status).toBe(0);
    expect(
      one.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(/ {2,}/)),
    ).toEqual([
      ['TOPIC', 'PARTITION', 'RESULT'],
      ['orders', '0', 'already led by its preferred replica'],
      ['orders', '2', 'already led by its preferred replica'],
    ]);
    const outOfRange = await fjord(['topics', 'elect-leaders', 'orders', '--partition', '9', ...b]);
    expect(outOfRange.status).toBe(1);
    expect(outOfRange.stdout).toMatch(/orders +9 +UNKNOWN_TOPIC_OR_PARTITION: the partition does not exist\n$/);
    expect(outOfRange.stderr).toMatch(/^fjord: 1 of 1 partitions could not be elected; /);
    expect((await fjord(['topics', 'elect-leaders', ...b])).stdout).toBe('no partition needed an election: every preferred replica that can lead does\n');
  });

  it('names an unknown topic in describe, alter and delete', async () => {
    for (const args of [
      ['topics', 'describe', 'ghost'],
      ['topics', 'alter', 'ghost', '-p', '5'],
      ['topics', 'delete', 'ghost'],
    ]) {
      const result = await fjord([...args, ...b]);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toBe(
        'fjord: topic "ghost": UNKNOWN_TOPIC_OR_PARTITION (3); list topics with "fjord topics list", or create it with "fjord topics create NAME"\n',
      );
    }
    expect((await fjord(['topics', 'delete', 'ghost', '--if-exists', ...b])).status).toBe(0);
  });

  it('deletes topics', async () => {
    expect((await fjord(['topics', 'delete', 'defaults', ...b])).stdout).toBe('deleted topic "defaults"\n');
    expect((await fjord(['topics', 'list', '--exclude-internal', ...b])).stdout).toBe('orders\n');
  });
});
