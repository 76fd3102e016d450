// The broker command as a person runs it, both as `node dist/src/main.js` and as `fjord broker start`: bad
// flags and bad configs get one clear line and a non-zero exit; a good start logs readiness; SIGTERM drains,
// flushes and leaves the clean-shutdown marker.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { compiledPath, packageRoot } from '../../src/shared/compiled-path.js';
import { CLEAN_SHUTDOWN_MARKER } from '../../src/engine/log-dirs.js';
import { tempDir } from '../helpers/temp-dir.js';

const main = compiledPath('src/main');
compiledPath('src/cli/main');
const fjordBin = join(packageRoot(), 'bin', 'fjord.js');

function runToExit(args: string[]) {
  return spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 20_000 });
}

describe('fjord broker command', () => {
  it('rejects unknown flags with usage and exit code 2', () => {
    const result = runToExit(['--bogus']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`fjord: Unknown option '--bogus'; run "fjord broker start --help" for usage\n`);
  });

  it('rejects a malformed --set', () => {
    const result = runToExit(['--set', 'novalue']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('fjord: --set expects key=value, got "novalue"\n');
  });

  it('names a missing config file and bad keys, and does not start', () => {
    expect(runToExit(['--config', '/nonexistent/server.properties']).stderr).toBe('fjord: cannot read config file /nonexistent/server.properties: ENOENT\n');
    const dir = tempDir();
    const file = join(dir, 'bad.properties');
    writeFileSync(file, `log.dirs=${dir}\nnum.partitions=zero\nlog.segmnt.bytes=5\n`);
    const result = runToExit(['--config', file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/bad configuration:\n {2}unknown config key "log.segmnt.bytes".*\n {2}num.partitions must be an integer, got "zero"/);
    expect(existsSync(join(dir, '.fjord-clean-shutdown'))).toBe(false);
  });

  it.each([
    ['node dist/src/main.js', [main]],
    ['fjord broker start', [fjordBin, 'broker', 'start']],
  ])('%s starts with a config file, logs ready, and shuts down cleanly on SIGTERM', async (_name, command) => {
    const logDir = tempDir();
    const child = spawn(
      process.execPath,
      [
        ...command,
        '--config',
        'config/server.properties',
        '--set',
        `log.dirs=${logDir}`,
        '--set',
        'listeners=PLAINTEXT://127.0.0.1:0',
        '--set',
        'fjord.http.listener=http://127.0.0.1:0',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const messages: string[] = [];
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    for await (const line of createInterface({ input: child.stdout })) {
      const entry = JSON.parse(line) as { msg: string };
      messages.push(entry.msg);
      if (entry.msg === 'ready') child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(messages).toEqual([
      'starting',
      'ready',
      'signal received',
      'shutting down: closing the listener, finishing in-flight requests, flushing partitions',
      'shutdown complete',
    ]);
    expect(existsSync(join(logDir, CLEAN_SHUTDOWN_MARKER))).toBe(true);
  });
});
