// Locates compiled JavaScript entry points (worker scripts, piscina tasks) in dist/, whether the caller
// runs from dist/ itself or from TypeScript source under the test runner. Runs on any thread.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let packageRootCache: string | undefined;

/** The folder holding Fjord's package.json. */
export function packageRoot(): string {
  if (packageRootCache !== undefined) return packageRootCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`fjord: cannot find package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  packageRootCache = dir;
  return dir;
}

/** Absolute path of the compiled form of a source file, e.g. compiledPath('workers/partition-worker') → dist/workers/partition-worker.js. */
export function compiledPath(sourcePathWithoutExtension: string): string {
  const path = join(packageRoot(), 'dist', `${sourcePathWithoutExtension}.js`);
  if (!existsSync(path)) throw new Error(`fjord: ${path} is missing; run "npm run build" first`);
  return path;
}
