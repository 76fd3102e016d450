// `fjord produce` and `fjord consume` against a real broker process, cross-checked with kcat (librdkafka):
// round trips both ways, keys on the partitions murmur2 names (the same kcat's murmur2 partitioner picks),
// every compression codec, start positions, format placeholders, and the errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionForKey } from '../../src/client/murmur2.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kcat } from '../helpers/kcat.js';
import { fjord } from './run-fjord.js';

let broker: BrokerProcess;
let b: string[];

beforeAll(async () => {
  broker = await startBrokerProcess();
  b = ['--bootstrap-server', broker.bootstrap];
});
afterAll(() => broker?.stop());

const sorted = (text: string) => text.trimEnd().split('\n').sort();

describe('fjord produce and consume', () => {
  it('fjord produce → kcat consume: keys, values, headers, one explicit partition', async () => {
    await fjord(['topics', 'create', 'to-kcat', '--partitions', '2', ...b]);
    const produced = await fjord(
      ['produce', 'to-kcat', '-K', ':', '-H', 'source=cli', '-H', 'n=1', '--partition', '1', ...b],
      'k1:hello\nk2:world\nno separator here\n',
    );
    expect(produced).toEqual({ status: 0, stdout: '', stderr: '' });
    const read = kcat(['-b', broker.bootstrap, '-C', '-t', 'to-kcat', '-e', '-q', '-f', '%p %o %k=%s %h\n']);
    expect(read.stdout).toBe('1 0 k1=hello source=cli,n=1\n1 1 k2=world source=cli,n=1\n1 2 =no separator here source=cli,n=1\n');
  });

  it('kcat produce → fjord consume with every format placeholder', async () => {
    kcat(['-b', broker.bootstrap, '-P', '-t', 'from-kcat', '-K:', '-p', '0', '-H', 'h1=v1'], 'a:alpha\nb:beta\n');
    const read = await fjord(['consume', 'from-kcat', '--from-beginning', '--exit-at-end', '--format', '%t|%p|%o|%k|%v|%h|%%|\\t|%T', ...b]);
    expect(read.status).toBe(0);
    const lines = read.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split('|'));
    expect(lines.map((l) => l.slice(0, 8))).toEqual([
      ['from-kcat', '0', '0', 'a', 'alpha', 'h1=v1', '%', '\t'],
      ['from-kcat', '0', '1', 'b', 'beta', 'h1=v1', '%', '\t'],
    ]);
    expect(Math.abs(Number(lines[0]![8]) - Date.now())).toBeLessThan(60_000);
  });

  it("puts keys on the partitions murmur2 names, the same ones kcat's murmur2 partitioner picks", async () => {
    await fjord(['topics', 'create', 'keyed', '--partitions', '6', ...b]);
    const keys = Array.from({ length: 24 }, (_, i) => `key-${i * 7919}`);
    await fjord(['produce', 'keyed', '-K', ':', ...b], `${keys.map((k) => `${k}:fjord`).join('\n')}\n`);
    kcat(['-b', broker.bootstrap, '-P', '-t', 'keyed', '-K:', '-X', 'topic.partitioner=murmur2_random'], `${keys.map((k) => `${k}:kcat`).join('\n')}\n`);
    const read = await fjord(['consume', 'keyed', '--from-beginning', '--exit-at-end', '--format', '%p %k %v', ...b]);
    const placed = new Map<string, number>();
    for (const [partition, key, by] of read.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(' '))) {
      expect(Number(partition), `${key} by ${by}`).toBe(partitionForKey(Buffer.from(key!), 6));
      if (placed.has(key!)) expect(placed.get(key!), key).toBe(Number(partition));
      placed.set(key!, Number(partition));
    }
    expect(placed.size).toBe(keys.length);
    expect(new Set(placed.values()).size).toBeGreaterThan(3);
  });

  it('compresses with every codec: kcat reads the batches and the segment says which codec', async () => {
    const codecs = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
    const linesOf = (codec: string) => `${Array.from({ length: 50 }, (_, i) => `${codec} message ${i} ${'x'.repeat(40)}`).join('\n')}\n`;
    const produced = await Promise.all(codecs.map((codec) => fjord(['produce', `codec-${codec}`, '--compression', codec, ...b], linesOf(codec))));
    expect(produced.map((r) => r.status)).toEqual([0, 0, 0, 0]);
    for (const codec of codecs) expect(kcat(['-b', broker.bootstrap, '-C', '-t', `codec-${codec}`, '-e', '-q', '-f', '%s\n']).stdout).toBe(linesOf(codec));
    const consumed = await Promise.all(codecs.map((codec) => fjord(['consume', `codec-${codec}`, '--from-beginning', '--exit-at-end', ...b])));
    expect(consumed.map((r) => r.stdout)).toEqual(codecs.map(linesOf));
    const dumps = await Promise.all(codecs.map((codec) => fjord(['dump-segment', `${broker.logDir}/codec-${codec}-0/00000000000000000000.log`])));
    dumps.forEach((dump, i) => {
      expect(dump.stdout).toContain(`count: 50 `);
      expect(dump.stdout).toContain(`compresscodec: ${codecs[i]} `);
    });
  });

  it('starts at an offset, n before the end, or a time; reads some partitions; stops after n messages', async () => {
    await fjord(['topics', 'create', 'positions', '--partitions', '2', ...b]);
    await fjord(['produce', 'positions', '-p', '0', ...b], 'e0\ne1\ne2\n');
    await fjord(['produce', 'positions', '-p', '1', ...b], 'f0\n');
    const between = Date.now() + 1;
    await fjord(['produce', 'positions', '-p', '0', '--acks', '1', ...b], 'late0\nlate1\n');
    const consume = (...args: string[]) => fjord(['consume', 'positions', '--exit-at-end', '-f', '%p %o %v', ...args, ...b]).then((r) => r.stdout);
    const outputs = await Promise.all([
      consume('--offset', '3', '--partition', '0'),
      consume('--offset', '-1').then((out) => `${sorted(out).join('\n')}\n`),
      consume('--from-time', String(between)),
      consume('--from-time', new Date(between).toISOString(), '-p', '0'),
      consume('--from-beginning', '-p', '0', '--max-messages', '2'),
      consume('--partition', '1'),
    ]);
    expect(outputs).toEqual(['0 3 late0\n0 4 late1\n', '0 4 late1\n1 0 f0\n', '0 3 late0\n0 4 late1\n', '0 3 late0\n0 4 late1\n', '0 0 e0\n0 1 e1\n', '']);
  });

  it('sends with acks=0 and acks=1 and says where batches went with --verbose', async () => {
    await fjord(['topics', 'create', 'acks', '--partitions', '1', ...b]);
    const one = await fjord(['produce', 'acks', '--acks', '1', '--verbose', ...b], 'a\nb\n');
    expect(one.stderr).toBe('2 message(s) to acks-0 at offsets 0-1\n');
    const zero = await fjord(['produce', 'acks', '--acks', '0', '--verbose', ...b], 'c\n');
    expect(zero.stderr).toBe('1 message(s) to acks-0 (acks=0: offsets unknown)\n');
    expect((await fjord(['consume', 'acks', '--from-beginning', '-n', '3', ...b])).stdout).toBe('a\nb\nc\n');
  });

  it('explains errors: unknown topic, offset out of range, bad partition, conflicting flags, bad format', async () => {
    await fjord(['topics', 'create', 'errs', '--partitions', '1', ...b]);
    await fjord(['produce', 'errs', ...b], 'one\n');
    const cases: Array<[string[], number, string]> = [
      [
        ['consume', 'ghost'],
        1,
        'fjord: topic "ghost": UNKNOWN_TOPIC_OR_PARTITION (3); list topics with "fjord topics list", or create it with "fjord topics create NAME"\n',
      ],
      [
        ['consume', 'errs', '--offset', '5'],
        1,
        'fjord: offset 5 is out of range for errs-0, which holds offsets 0 to 0 (next is 1); pick an offset in that range, or use --from-beginning\n',
      ],
      [['consume', 'errs', '--partition', '3'], 2, 'fjord: topic "errs" has no partition 3 (it has 0-0); run "fjord consume --help" for usage\n'],
      [
        ['consume', 'errs', '--from-beginning', '--offset', '0'],
        2,
        'fjord: --from-beginning, --offset and --from-time exclude each other; run "fjord consume --help" for usage\n',
      ],
      [
        ['consume', 'errs', '--group', 'g', '--partition', '0'],
        2,
        'fjord: --partition and --group exclude each other (the group assigns partitions); run "fjord consume --help" for usage\n',
      ],
      [
        ['consume', 'errs', '--format', '%q'],
        2,
        'fjord: --format: unknown placeholder "%q" (use %t %p %o %T %k %v %h or %%); run "fjord consume --help" for usage\n',
      ],
      [
        ['produce', 'errs', '--partition', '7'],
        1,
        'fjord: errs-7: UNKNOWN_TOPIC_OR_PARTITION (3): the topic has partitions 0-0; list topics with "fjord topics list", or create it with "fjord topics create NAME"\n',
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => fjord([...args, ...b], 'line\n')));
    results.forEach((result, i) => {
      const [args, status, stderr] = cases[i]!;
      expect(result.stderr, args.join(' ')).toBe(stderr);
      expect(result.status, args.join(' ')).toBe(status);
    });
  });
});
