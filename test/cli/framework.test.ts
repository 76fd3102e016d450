// The fjord command's framework, run as a child process: --help on every command, usage errors (unknown
// command, unknown flag, bad value, missing argument) as one line with exit code 2, and every broker-facing
// command against a port with no broker: one line naming the address and what to do, exit code 1.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fjord } from './run-fjord.js';

const COMMANDS = [
  'broker',
  'topics',
  'topics create',
  'topics list',
  'topics describe',
  'topics alter',
  'topics delete',
  'produce',
  'consume',
  'groups',
  'groups list',
  'groups describe',
  'groups reset-offsets',
  'groups delete',
  'cluster',
  'cluster describe',
  'log-dirs',
  'log-dirs describe',
  'dump-segment',
  'perf',
  'perf produce',
  'perf consume',
];

/** A port nobody listens on (bound, then closed). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs the calls a few at a time (each is a process start). */
async function inBatches<T, R>(items: readonly T[], run: (item: T) => Promise<R>, width = 4): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map(run))));
  return results;
}

describe('fjord command framework', () => {
  it('prints help for every command with exit code 0', async () => {
    const results = await inBatches(['', ...COMMANDS], (command) => fjord([...command.split(' ').filter(Boolean), '--help']));
    results.forEach((result, i) => {
      expect(result.status, COMMANDS[i - 1] ?? 'fjord').toBe(0);
      expect(result.stdout, COMMANDS[i - 1]).toMatch(new RegExp(`^Usage: fjord ${COMMANDS[i - 1] ?? ''}`));
    });
    const start = await fjord(['broker', 'start', '--help']);
    expect(start.status).toBe(0);
    expect(start.stdout).toMatch(/^usage: fjord broker start \[--config FILE\] \[--set key=value \.\.\.\]/);
  });

  it('answers usage errors with one line and exit code 2', async () => {
    const cases: Array<[string[], string]> = [
      [['topicz'], `fjord: unknown command 'topicz' (Did you mean topics?); run "fjord --help" for usage\n`],
      [['topics', 'list', '--bogus'], `fjord: unknown option '--bogus'; run "fjord topics list --help" for usage\n`],
      [['topics', 'create'], `fjord: missing required argument 'topic'; run "fjord topics create --help" for usage\n`],
      [
        ['topics', 'create', 't', '--partitions', 'many'],
        `fjord: option '-p, --partitions <n>' argument 'many' is invalid. expected an integer, got "many"; run "fjord topics create --help" for usage\n`,
      ],
      [
        ['produce', 't', '--compression', 'brotli'],
        `fjord: option '-z, --compression <codec>' argument 'brotli' is invalid. expected one of none, gzip, snappy, lz4, zstd, got "brotli"; run "fjord produce --help" for usage\n`,
      ],
      [
        ['consume', 't', '--from-time', 'yesterday'],
        `fjord: option '--from-time <time>' argument 'yesterday' is invalid. expected an ISO date-time (2024-05-01T12:00:00Z) or milliseconds since the epoch, got "yesterday"; run "fjord consume --help" for usage\n`,
      ],
      [
        ['consume', 't', '-b', 'nohost'],
        `fjord: option '-b, --bootstrap-server <host:port>' argument 'nohost' is invalid. expected host:port (several separated by commas), got "nohost"; run "fjord consume --help" for usage\n`,
      ],
      [['broker', 'start', '--bogus'], `fjord: Unknown option '--bogus'; run "fjord broker start --help" for usage\n`],
    ];
    const results = await inBatches(cases, ([args]) => fjord(args));
    results.forEach((result, i) => {
      expect(result.stderr, cases[i]![0].join(' ')).toBe(cases[i]![1]);
      expect(result.status, cases[i]![0].join(' ')).toBe(2);
    });
    const bare = await fjord(['groups']);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toMatch(/^Usage: fjord groups/);
  });

  it('says the broker is down in one line with exit code 1, for every broker-facing command', async () => {
    const server = `127.0.0.1:${await deadPort()}`;
    const commands = [
      ['topics', 'create', 't'],
      ['topics', 'list'],
      ['topics', 'describe'],
      ['topics', 'alter', 't', '-p', '2'],
      ['topics', 'delete', 't'],
      ['produce', 't'],
      ['consume', 't'],
      ['groups', 'list'],
      ['groups', 'describe', 'g'],
      ['groups', 'reset-offsets', 'g', '-t', 't', '--to-earliest'],
      ['groups', 'delete', 'g'],
      ['cluster', 'describe'],
      ['log-dirs', 'describe'],
      ['perf', 'produce', 't'],
      ['perf', 'consume', 't'],
    ];
    const results = await inBatches(commands, (args) => fjord([...args, '--bootstrap-server', server], 'line\n'));
    results.forEach((result, i) => {
      expect(result.stderr, commands[i]!.join(' ')).toBe(
        `fjord: cannot reach the broker at ${server} (ECONNREFUSED); check that a broker is running there ("fjord broker start") or pass --bootstrap-server host:port\n`,
      );
      expect(result.status, commands[i]!.join(' ')).toBe(1);
    });
  });

  it('prints its version', async () => {
    const result = await fjord(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
