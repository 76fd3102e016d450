// The --format string of `fjord consume`: placeholders %t topic, %p partition, %o offset, %T timestamp (ms),
// %k key, %v value, %h headers (k=v,k=v), %% a percent sign; escapes \n \t \\. Compiled once into a list of
// parts, rendered per message. Runs on the main thread.
import type { FetchedMessage } from '../client/fetcher.js';

type Part = string | ((m: FetchedMessage) => string);

const text = (bytes: Buffer | null): string => (bytes === null ? '' : bytes.toString('utf8'));

const PLACEHOLDERS: Record<string, (m: FetchedMessage) => string> = {
  t: (m) => m.topic,
  p: (m) => String(m.partition),
  o: (m) => String(m.offset),
  T: (m) => String(m.timestamp),
  k: (m) => text(m.key),
  v: (m) => text(m.value),
  h: (m) => m.headers.map((h) => `${h.key}=${text(h.value)}`).join(','),
};

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\' };

export const DEFAULT_FORMAT = '%v';

/** Compiles a format; throws RangeError naming an unknown placeholder. Each message ends with a newline. */
export function compileFormat(format: string): (m: FetchedMessage) => string {
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    const next = format[i + 1];
    if (ch === '\\' && next !== undefined && ESCAPES[next] !== undefined) {
      literal += ESCAPES[next];
      i++;
    } else if (ch === '%' && next === '%') {
      literal += '%';
      i++;
    } else if (ch === '%') {
      const render = next === undefined ? undefined : PLACEHOLDERS[next];
      if (render === undefined) throw new RangeError(`--format: unknown placeholder "%${next ?? ''}" (use %t %p %o %T %k %v %h or %%)`);
      if (literal) parts.push(literal);
      literal = '';
      parts.push(render);
      i++;
    } else {
      literal += ch;
    }
  }
  if (!literal.endsWith('\n')) literal += '\n';
  parts.push(literal);
  return (m) => parts.map((part) => (typeof part === 'string' ? part : part(m))).join('');
}
