// The thread boundary is a folder boundary: workers/ imports only workers/ and src/shared/; src/ (the
// main thread) never imports worker code at run time (type-only imports describe the control plane).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file: [specifier resolved against the repo root, type-only?]. */
function importsOf(file: string): Array<{ target: string; typeOnly: boolean }> {
  const text = readFileSync(join(root, file), 'utf8');
  const found: Array<{ target: string; typeOnly: boolean }> = [];
  for (const match of text.matchAll(/^(import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gms)) {
    found.push({ target: relative(root, resolve(root, dirname(file), match[3]!)), typeOnly: match[2] !== undefined });
  }
  return found;
}

describe('thread boundary', () => {
  it('workers/ imports nothing from src/ but src/shared/', () => {
    const offending = sourceFiles('workers').flatMap((file) =>
      importsOf(file)
        .filter((i) => i.target.startsWith('src/') && !i.target.startsWith('src/shared/'))
        .map((i) => `${file} → ${i.target}`),
    );
    expect(offending).toEqual([]);
  });

  it('src/ imports worker code only as types', () => {
    const offending = sourceFiles('src').flatMap((file) =>
      importsOf(file)
        .filter((i) => i.target.startsWith('workers/') && !i.typeOnly)
        .map((i) => `${file} → ${i.target}`),
    );
    expect(offending).toEqual([]);
  });

  it('every source file opens with a comment saying what it owns', () => {
    const bare = [...sourceFiles('src'), ...sourceFiles('workers'), ...sourceFiles('bench')].filter(
      (file) => !readFileSync(join(root, file), 'utf8').startsWith('//'),
    );
    expect(bare).toEqual([]);
  });
});
