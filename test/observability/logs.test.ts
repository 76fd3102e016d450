// The broker's logs: pretty mode writes one readable line per entry (in-process and from the real
// command with fjord.log.format=pretty), JSON stays the format for pipes under 'auto', and the start,
// ready and shutdown lines carry what an operator needs (http address, overrides, what was flushed).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { compiledPath } from '../../src/shared/compiled-path.js';
import { startBrokerProcess } from '../helpers/broker-process.js';
import { tempDir } from '../helpers/temp-dir.js';

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { stream, text: () => text };
}

describe('log formats', () => {
  it('pretty writes one readable line per entry: time, level, message, fields', () => {
    const out = collector();
    const logger = createLogger('info', out.stream, 'pretty');
    logger.info({ listener: '127.0.0.1:9092', partitions: 3 }, 'ready');
    logger.warn('log dir went offline');
    logger.debug('not written at info');
    const lines = out
      .text()
      .split('\n')
      .filter((l) => l !== '');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO: ready \{"listener":"127.0.0.1:9092","partitions":3\}$/);
    expect(lines[1]).toMatch(/^\[.*\] WARN: log dir went offline$/);
  });

  it('json (and auto on anything but a terminal) writes one JSON object per line', () => {
    for (const format of ['json', 'auto'] as const) {
      const out = collector();
      createLogger('info', out.stream, format).info({ topic: 'orders' }, 'topic created');
      expect(JSON.parse(out.text())).toMatchObject({ level: 30, service: 'fjord', topic: 'orders', msg: 'topic created' });
    }
  });

  it('the command logs pretty lines with fjord.log.format=pretty and shuts down with them', async () => {
    const args = [
      '--set',
      `log.dirs=${tempDir()}`,
      '--set',
      'listeners=PLAINTEXT://127.0.0.1:0',
      '--set',
      'fjord.http.listener=http://127.0.0.1:0',
      '--set',
      'fjord.workers=1',
      '--set',
      'fjord.log.format=pretty',
    ];
    const child = spawn(process.execPath, [compiledPath('src/main'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const lines: string[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      lines.push(line);
      if (/ INFO: ready /.test(line)) child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(lines.every((line) => /^\[[\d :.-]+\] (INFO|WARN|ERROR): /.test(line))).toBe(true);
    expect(lines.find((l) => / INFO: ready /.test(l))).toMatch(/"http":"http:\/\/127\.0\.0\.1:\d+"/);
    expect(lines.at(-1)).toMatch(/ INFO: shutdown complete \{"partitionsClosed":0,"logDirsMarkedClean":\[".*"\],/);
  });
});

describe('operator log lines', () => {
  it('start names the http address and the overrides; shutdown says what was flushed', async () => {
    const broker = await startBrokerProcess({ 'num.partitions': '3' });
    const starting = broker.logLines.find((l) => l.msg === 'starting')!;
    expect(starting.http).toBe(broker.httpUrl);
    expect(starting.overrides).toMatchObject({ 'num.partitions': '3', 'fjord.workers': '2', 'log.dirs': broker.logDir });
    expect(broker.logLines.find((l) => l.msg === 'ready')).toMatchObject({ http: broker.httpUrl, listener: `127.0.0.1:${broker.port}` });
    const created = await fetch(`${broker.httpUrl}/ready`);
    expect(created.status).toBe(200);
    expect(await broker.stop()).toBe(0);
    const complete = broker.logLines.find((l) => l.msg === 'shutdown complete')!;
    expect(complete).toMatchObject({
      partitionsClosed: 0,
      logDirsMarkedClean: [broker.logDir],
      logDirsOffline: [],
      connectionsClosed: 0,
      fetchWaitersWoken: 0,
    });
  });
});
