// Reading and writing golden frame files: '#' comment lines saying where the frame came from, then the request
// frame (without its 4-byte size prefix) as hex, 64 digits a line. Test helper only.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GOLDEN_DIR = dirname(fileURLToPath(import.meta.url));

export function goldenFileNames(): string[] {
  return readdirSync(GOLDEN_DIR)
    .filter((name) => name.endsWith('.hex'))
    .sort();
}

export function readGolden(name: string): Buffer {
  const text = readFileSync(join(GOLDEN_DIR, name), 'utf8');
  const digits = text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('')
    .replace(/\s+/g, '');
  return Buffer.from(digits, 'hex');
}

export function writeGolden(name: string, notes: string[], frame: Buffer): void {
  const digits = frame.toString('hex').match(/.{1,64}/g) ?? [];
  const text = [...notes.map((note) => `# ${note}`), ...digits, ''].join('\n');
  writeFileSync(join(GOLDEN_DIR, name), text);
}

/** 'DescribeConfigs' → 'describe-configs'. */
export function kebab(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}
