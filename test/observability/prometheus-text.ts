// A strict parser of the Prometheus text exposition format (version 0.0.4) for tests: every line must be
// a HELP, TYPE, comment, blank line or well-formed sample; a family's samples are contiguous and follow
// its TYPE; no series twice; histograms cumulative and ending in +Inf equal to _count. Throws on the
// first violation, naming the line. Test helper.
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, Family>();
  const seriesSeen = new Set<string>();
  let current: Family | null = null;
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      const where = `line ${i + 1}: ${line}`;
      if (line.trim() === '') return;
      if (line.startsWith('#')) {
        current = directive(line, families, current, where) ?? current;
        return;
      }
      const sample = parseSample(line, where);
      const family = familyOf(sample.name, families);
      if (family === undefined) throw new Error(`${where}: sample of a family with no TYPE`);
      if (family !== current) throw new Error(`${where}: samples of ${family.name} are not contiguous`);
      const series = `${sample.name}{${Object.entries(sample.labels)
        .sort()
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}}`;
      if (seriesSeen.has(series)) throw new Error(`${where}: series ${series} appears twice`);
      seriesSeen.add(series);
      if (family.type === 'counter' && !(sample.value >= 0)) throw new Error(`${where}: counter below 0`);
      family.samples.push(sample);
    });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function directive(line: string, families: Map<string, Family>, current: Family | null, where: string): Family | null {
  const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
  if (match === null) return null; // a plain comment
  const [, kind, name, rest] = match as unknown as [string, string, string, string];
  if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name`);
  let family = families.get(name);
  if (family !== undefined && family !== current) throw new Error(`${where}: ${name} described twice`);
  if (family === undefined) {
    family = { name, help: '', type: 'untyped', samples: [] };
    families.set(name, family);
  }
  if (kind === 'HELP') {
    family.help = unescapeLabel(rest, false, where);
  } else {
    if (!TYPES.has(rest)) throw new Error(`${where}: unknown type ${rest}`);
    if (family.samples.length > 0) throw new Error(`${where}: TYPE after samples`);
    family.type = rest as MetricType;
  }
  return family;
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  const exact = families.get(sampleName);
  if (exact !== undefined && exact.type !== 'histogram') return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = families.get(sampleName.slice(0, -suffix.length));
    if (base?.type === 'histogram' || (base?.type === 'summary' && suffix !== '_bucket')) return base;
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line);
  if (match === null) throw new Error(`${where}: not a sample`);
  return { name: match[1]!, labels: parseLabels(match[2] ?? '', where), value: parseValue(match[3]!, where) };
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  if (text === '') return labels;
  let at = 1;
  while (text[at] !== '}') {
    const eq = text.indexOf('=', at);
    const name = text.slice(at, eq);
    if (eq < 0 || !LABEL_NAME.test(name)) throw new Error(`${where}: bad label name`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let end = eq + 2;
    while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    if (end >= text.length) throw new Error(`${where}: unterminated label value`);
    labels[name] = unescapeLabel(text.slice(eq + 2, end), true, where);
    at = end + 1;
    if (text[at] === ',') at++;
    else if (text[at] !== '}') throw new Error(`${where}: expected , or } after a label`);
  }
  if (at !== text.length - 1) throw new Error(`${where}: text after the labels`);
  return labels;
}

function unescapeLabel(text: string, quoted: boolean, where: string): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && quoted) return '"';
    throw new Error(`${where}: bad escape \\${c}`);
  });
}

/** A float as Go's strconv.ParseFloat reads it (what Prometheus uses): NaN and Inf in any case (prom-client writes "Nan"). */
function parseValue(text: string, where: string): number {
  if (/^[-+]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value ${text}`);
  return Number(text);
}

/** Per label set: buckets with ascending le, cumulative counts, a +Inf bucket equal to _count, and a _sum. */
function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const group = groups.get(key) ?? { buckets: [] };
    groups.set(key, group);
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le`);
      group.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    } else if (s.name.endsWith('_count')) group.count = s.value;
    else group.sum = s.value;
  }
  for (const [key, g] of groups) {
    const last = g.buckets.at(-1);
    if (last === undefined || last[0] !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    g.buckets.forEach(([le, count], i) => {
      if (i > 0 && (le <= g.buckets[i - 1]![0] || count < g.buckets[i - 1]![1])) throw new Error(`${family.name}${key}: buckets not ascending and cumulative`);
    });
    if (g.count !== last[1] || g.sum === undefined) throw new Error(`${family.name}${key}: +Inf bucket ${last[1]} differs from _count ${g.count}, or no _sum`);
  }
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = familyOf(name, families);
  const found = family?.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) ?? [];
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

/** GET /metrics from `baseUrl`, checked for status and content type, parsed strictly. */
export async function scrape(baseUrl: string): Promise<Map<string, Family>> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/plain; version=0.0.4')) throw new Error(`/metrics content type ${contentType}`);
  return parsePrometheusText(await response.text());
}
