// kill -9 of a broker process in the middle of appends: after a restart every acknowledged record is
// there, at its acknowledged offset, and each partition is a gap-free prefix of what was written.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { decodeRecordBatches } from '../../src/shared/record-batch-codec.js';
import { launchBroker } from '../../src/broker.js';
import { tempDir } from '../helpers/temp-dir.js';

const fixture = fileURLToPath(new URL('../fixtures/append-until-killed.mjs', import.meta.url));

async function runUntilAcked(logDir: string, ackedWanted: number): Promise<Map<string, { partition: number; offset: number }>> {
  const child = spawn(process.execPath, [fixture, logDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked = new Map<string, { partition: number; offset: number }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for await (const line of createInterface({ input: child.stdout })) {
    const match = /^acked (\d) (\d+) (\S+)$/.exec(line);
    if (match) acked.set(match[3]!, { partition: Number(match[1]), offset: Number(match[2]) });
    if (acked.size >= ackedWanted) {
      child.kill('SIGKILL');
      break;
    }
  }
  await exited;
  return acked;
}

describe('kill -9 mid-append', () => {
  it('keeps every acknowledged append and recovers a clean prefix', async () => {
    const logDir = tempDir();
    const acked = await runUntilAcked(logDir, 3000);
    const broker = await launchBroker({
      config: {
        'log.dirs': logDir,
        'fjord.workers': '2',
        'log.segment.bytes': '65536',
        listeners: 'PLAINTEXT://127.0.0.1:0',
        'fjord.http.listener': 'http://127.0.0.1:0',
      },
      logger: pino({ level: 'silent' }),
    });
    try {
      const found = new Map<string, { partition: number; offset: number }>();
      for (const partition of [0, 1]) {
        let offset = 0;
        for (;;) {
          const fetched = await broker.engine.fetch('t', partition, offset, 1 << 20);
          expect(fetched.errorCode).toBe(0);
          if (fetched.records.length === 0) break;
          for (const record of decodeRecordBatches(fetched.records)) {
            expect(record.offset).toBe(offset);
            found.set(record.key!.toString(), { partition, offset: record.offset });
            offset++;
          }
        }
      }
      for (const [tag, where] of acked) expect(found.get(tag), tag).toEqual(where);
      expect(found.size).toBeGreaterThanOrEqual(acked.size);
    } finally {
      await broker.stop();
    }
  });
});
