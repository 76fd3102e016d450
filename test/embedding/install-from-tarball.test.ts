// Fjord as a package people install: `npm pack` ships what runs and nothing else (no benchmarks, tests or
// source maps), and a fresh project that installs the tarball runs the README's embedding examples with KafkaJS
// and @platformatic/kafka and docs/embedding.md's startCluster example (etcd and three brokers), requires it from
// CommonJS, and type-checks against its declarations. Needs the build (npm test builds before vitest), etcd, and
// the npm registry or npm's cache for the dependencies.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const REPO = new URL('../../', import.meta.url).pathname;
const NPM_QUIET = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

/** The code blocks after `<!-- example: NAME -->` markers in a Markdown file, by NAME. */
function examplesIn(markdownFile: string): Map<string, string> {
  const text = readFileSync(join(REPO, markdownFile), 'utf8');
  return new Map([...text.matchAll(/<!-- example: (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]));
}

function versionOf(name: string): string {
  return (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

let project: string;
let files: string[];

beforeAll(async () => {
  const packDir = tempDir('fjord-pack-');
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir, '--loglevel=error'], { cwd: REPO });
  const tarball = join(packDir, stdout.trim().split('\n').pop()!);
  files = (await run('tar', ['-tzf', tarball])).stdout.trim().split('\n');
  project = tempDir('fjord-app-');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fjord-app', private: true, type: 'module' }));
  await run('npm', ['install', tarball, `kafkajs@${versionOf('kafkajs')}`, `@platformatic/kafka@${versionOf('@platformatic/kafka')}`, ...NPM_QUIET], {
    cwd: project,
    timeout: 300_000,
  });
  for (const [name, code] of [...examplesIn('README.md'), ...examplesIn('docs/embedding.md')]) writeFileSync(join(project, name), code);
}, 360_000);

async function runExample(name: string, nodeArgs: string[] = []): Promise<string> {
  const { stdout } = await run(process.execPath, [...nodeArgs, name], { cwd: project, timeout: 60_000 });
  return stdout;
}

describe('the packed package', () => {
  it('ships the compiled broker, workers, command and config, and no benchmarks, tests or maps', () => {
    for (const needed of [
      'package/dist/src/index.js',
      'package/dist/src/index.d.ts',
      'package/dist/src/embedding/start-cluster.js',
      'package/dist/src/embedding/etcd-server.js',
      'package/dist/workers/partition-worker.js',
      'package/bin/fjord.js',
      'package/config/server.properties',
    ]) {
      expect(files).toContain(needed);
    }
    expect(files.filter((f) => /^package\/(dist\/)?(bench|test)\//.test(f) || f.endsWith('.map') || f.startsWith('package/src/'))).toEqual([]);
  });

  it("runs the README's KafkaJS example", async () => {
    expect(await runExample('embed-kafkajs.mjs')).toContain('consumed created');
  }, 60_000);

  it("runs the README's @platformatic/kafka example", async () => {
    // @platformatic/kafka needs Promise.withResolvers (Node 22+); on Node 20 this test provides it.
    const polyfill = join(project, 'promise-with-resolvers.mjs');
    writeFileSync(
      polyfill,
      'Promise.withResolvers ??= () => { const r = {}; r.promise = new Promise((a, b) => Object.assign(r, { resolve: a, reject: b })); return r; };\n',
    );
    expect(await runExample('embed-platformatic.mjs', ['--import', polyfill])).toContain('consumed created');
  }, 60_000);

  it("runs docs/embedding.md's startCluster example: etcd and three brokers, a leader stopped and started again", async () => {
    expect(await runExample('cluster-kafkajs.mjs')).toContain('consumed before after');
  }, 120_000);

  it('loads with require() and type-checks against its declarations', async () => {
    expect(await runExample('embed-commonjs.cjs')).toContain('consumed created');
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const typeRoots = join(REPO, 'node_modules', '@types');
    await run(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--typeRoots', typeRoots, '--types', 'node', 'typed.mts'], {
      cwd: project,
    });
  }, 120_000);
});
