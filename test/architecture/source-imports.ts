// The import scanner of the architecture tests: the TypeScript files under a folder, each file's relative
// imports resolved against the repo root (static, type-only, dynamic `import('…')`, re-exports), and the import
// cycles among a set of files. Reads source text; runs in the test process.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface SourceImport {
  /** Repo-relative path as written (`.js` specifier), e.g. `src/shared/ring/ring.js`. */
  target: string;
  typeOnly: boolean;
  /** `import('…')` at run time rather than a top-level import. */
  dynamic: boolean;
}

/** Every `.ts` file under `dir` (repo-relative), recursively. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file. */
export function importsOf(file: string): SourceImport[] {
  const text = readFileSync(join(root, file), 'utf8');
  const target = (specifier: string): string => relative(root, resolve(root, dirname(file), specifier));
  const found: SourceImport[] = [];
  for (const match of text.matchAll(/^(import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gms)) {
    found.push({ target: target(match[3]!), typeOnly: match[2] !== undefined, dynamic: false });
  }
  for (const match of text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)) found.push({ target: target(match[1]!), typeOnly: false, dynamic: true });
  return found;
}

/** The `.ts` file an import names (`x.js` → `x.ts`). */
export function sourceOf(target: string): string {
  return target.replace(/\.js$/, '.ts');
}

/** Import cycles among `files` (type-only imports included: they tie the files together for a reader too), each as a list of files. */
export function importCycles(files: readonly string[]): string[][] {
  const inSet = new Set(files);
  const edges = new Map(
    files.map((f) => [
      f,
      importsOf(f)
        .map((i) => sourceOf(i.target))
        .filter((t) => inSet.has(t)),
    ]),
  );
  // Tarjan's strongly connected components; a component of two or more files (or a file importing itself) is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of edges.get(file)!) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    for (let member = stack.pop()!; ; member = stack.pop()!) {
      onStack.delete(member);
      component.push(member);
      if (member === file) break;
    }
    if (component.length > 1 || edges.get(file)!.includes(file)) cycles.push(component.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return cycles;
}
