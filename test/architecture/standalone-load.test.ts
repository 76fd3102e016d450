// A standalone broker never loads the etcd client (about half a second of start-up): nothing the broker's entry
// point reaches through static imports imports etcd-client.ts, which is the only file importing etcd3 at run time;
// the cluster membership is loaded with a dynamic import once fjord.etcd.endpoints is set.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, root, sourceFiles, sourceOf } from './source-imports.js';

/** Files reached from `entry` through imports that run at load time (not type-only, not dynamic). */
function loadedFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const i of importsOf(file)) if (!i.typeOnly && !i.dynamic) pending.push(sourceOf(i.target));
  }
  return seen;
}

describe('standalone start-up', () => {
  it('only etcd-client.ts imports etcd3 at run time', () => {
    const importers = [...sourceFiles('src'), ...sourceFiles('workers')].filter((file) =>
      /^import\s+(?!type\b)[^'"]*from\s+'etcd3'/m.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(importers).toEqual(['src/cluster/etcd-client.ts']);
  });

  it('loads no etcd client: the broker command reaches etcd-client.ts only through a dynamic import', () => {
    const loaded = loadedFrom('src/cli/commands/broker-start.ts');
    expect(loaded.has('src/broker.ts')).toBe(true);
    expect(loaded.has('src/cluster/etcd-client.ts')).toBe(false);
    expect(
      importsOf('src/broker.ts')
        .filter((i) => i.dynamic)
        .map((i) => i.target),
    ).toContain('src/cluster/cluster-membership.js');
  });
});
