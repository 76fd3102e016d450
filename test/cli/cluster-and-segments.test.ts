// `fjord cluster describe`, `fjord log-dirs describe` and `fjord dump-segment` against a real broker
// process and its segment files: batches with their fields and records, a flipped bit failing the CRC
// check, a torn tail, and files that are not segments.
import { copyFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { fjord } from './run-fjord.js';

let broker: BrokerProcess;
let b: string[];
let segment: string;

beforeAll(async () => {
  broker = await startBrokerProcess();
  b = ['--bootstrap-server', broker.bootstrap];
  await fjord(['topics', 'create', 'dumped', '--partitions', '1', ...b]);
  await fjord(['produce', 'dumped', '-K', ':', '-H', 'h=1', ...b], 'k1:first\nk2:second\n');
  await fjord(['produce', 'dumped', '--compression', 'gzip', ...b], 'third\n');
  segment = join(broker.logDir, 'dumped-0', '00000000000000000000.log');
});
afterAll(() => broker?.stop());

describe('fjord cluster, log-dirs and dump-segment', () => {
  it('describes the cluster: id, controller, brokers', async () => {
    const result = await fjord(['cluster', 'describe', ...b]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      `Cluster: ${result.stdout.split(' ')[1]}  Controller: 1\nBROKER  HOST       PORT${' '.repeat(broker.port.toString().length - 4 + 2)}RACK\n1       127.0.0.1  ${broker.port}  -\n`,
    );
  });

  it("describes the broker's log dirs and, with --partitions, each partition's size", async () => {
    const result = await fjord(['log-dirs', 'describe', '--topic', 'dumped', '--partitions', ...b]);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(lines[1]!.slice(0, 4)).toEqual(['1', broker.logDir, 'online', '1']);
    expect(lines[4]!.slice(0, 4)).toEqual(['1', broker.logDir, 'dumped', '0']);
    expect(Number(lines[4]![4])).toBe(readFileSync(segment).length);
  });

  it('dumps every batch with its fields, and with --records every record', async () => {
    const result = await fjord(['dump-segment', segment, '--records']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('2 batches, 0 failing the CRC check\n');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Dumping ${segment}`);
    expect(lines[1]).toMatch(
      /^baseOffset: 0 lastOffset: 1 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false position: 0 CreateTime: \d+ size: \d+ magic: 2 compresscodec: none crc: \d+ isvalid: true$/,
    );
    expect(lines[2]).toMatch(/^\| offset: 0 CreateTime: \d+ keySize: 2 valueSize: 5 sequence: -1 headers: \[h=1\] key: "k1" payload: "first"$/);
    expect(lines[3]).toMatch(/^\| offset: 1 .* key: "k2" payload: "second"$/);
    expect(lines[4]).toMatch(/^baseOffset: 2 lastOffset: 2 count: 1 .* position: \d+ .* compresscodec: gzip crc: \d+ isvalid: true$/);
    expect(lines[5]).toMatch(/^\| offset: 2 .* keySize: -1 valueSize: 5 .* key: null payload: "third"$/);
  });

  it('reports a batch that fails its CRC check and a torn tail, with exit code 1', async () => {
    const dir = tempDir();
    const flipped = join(dir, '00000000000000000000.log');
    copyFileSync(segment, flipped);
    const bytes = readFileSync(flipped);
    bytes[bytes.length - 3]! ^= 0x01;
    writeFileSync(flipped, bytes);
    const bad = await fjord(['dump-segment', flipped]);
    expect(bad.status).toBe(1);
    expect(bad.stdout.split('\n')[2]).toMatch(/isvalid: false$/);
    expect(bad.stderr).toBe(
      `2 batches, 1 failing the CRC check\nfjord: ${flipped} is damaged: 1 bad batch(es); the broker truncates such a log at the first bad batch when it recovers it\n`,
    );

    const torn = join(dir, '00000000000000000001.log');
    copyFileSync(segment, torn);
    truncateSync(torn, bytes.length - 5);
    const cut = await fjord(['dump-segment', torn]);
    expect(cut.status).toBe(1);
    expect(cut.stdout).toMatch(
      /\ntorn tail at position \d+: \d+ bytes that are not a whole batch \(a batch length of \d+ bytes with \d+ left in the file\)\n$/,
    );
  });

  it('refuses files that are not segments', async () => {
    const index = await fjord(['dump-segment', segment.replace(/\.log$/, '.index')]);
    expect(index).toMatchObject({
      status: 1,
      stderr: `fjord: ${segment.replace(/\.log$/, '.index')} is not a segment file; give a .log file from a partition folder (indexes are derived and not dumped)\n`,
    });
    const missing = await fjord(['dump-segment', '/nonexistent/00000000000000000000.log']);
    expect(missing).toMatchObject({
      status: 1,
      stderr: 'fjord: cannot read /nonexistent/00000000000000000000.log (ENOENT); give the path of a .log file, e.g. data/orders-0/00000000000000000000.log\n',
    });
  });
});
