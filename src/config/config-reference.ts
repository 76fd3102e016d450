// Renders docs/configuration.md from the config schemas (broker keys and topic keys), so the reference
// can never drift from what the code reads. Runs on the main thread (`npm run docs:config`).
import { fileURLToPath } from 'node:url';
import { BROKER_CONFIG_SCHEMA } from './broker-config-schema.js';
import { DEFAULT_LOG_CONFIG, TOPIC_CONFIG_KEYS } from '../shared/topic-config.js';

const MACHINE_DEPENDENT = new Set(['fjord.workers']);

export function renderConfigReference(): string {
  const lines = [
    '# Configuration reference',
    '',
    'Generated from `src/config/broker-config-schema.ts` and `src/shared/topic-config.ts` by `npm run docs:config`; a test keeps it current.',
    '',
    'Broker keys are read from the properties file given with `--config` (default for `npm start`: `config/server.properties`),',
    'then from environment variables `FJORD_<KEY>` (upper case, dots as underscores, e.g. `FJORD_LOG_DIRS`), then from',
    '`--set key=value`; later sources win. Unknown keys and bad values stop the broker before it starts, one line per problem.',
    '',
    '## Broker keys',
    '',
    '| key | type | default | description |',
    '|---|---|---|---|',
  ];
  for (const [key, spec] of Object.entries(BROKER_CONFIG_SCHEMA)) {
    const names = [key, ...(spec.aliases ?? [])].map((name) => `\`${name}\``).join(' / ');
    const kind = spec.kind === 'enum' ? spec.values!.join(' \\| ') : spec.kind;
    const defaultValue = MACHINE_DEPENDENT.has(key) ? 'number of cores' : `\`${spec.default}\``;
    lines.push(`| ${names} | ${kind} | ${defaultValue} | ${spec.doc} |`);
  }
  lines.push(
    '',
    '## Checks across keys',
    '',
    'Also refused at start-up, each with its own line:',
    '',
    '- `group.min.session.timeout.ms` above `group.max.session.timeout.ms`;',
    '- `fjord.ring.bytes` not a power of two, or below 4 x `message.max.bytes`;',
    '- `default.replication.factor` or `offsets.topic.replication.factor` above 1: a standalone broker holds the only replica of every partition;',
    '- `min.insync.replicas` above `default.replication.factor` (or above 1 on a standalone broker): acks=all could never succeed;',
    '- `advertised.listeners` on a wildcard host (`0.0.0.0`, `::`);',
    '- `fjord.http.listener` on the same port as `listeners` (when the hosts overlap);',
    '- a dir listed twice in `log.dirs` (compared after resolving the paths).',
  );
  lines.push('', '## Topic keys', '', 'Per-topic settings; their defaults come from the broker keys above (`log.*`, `message.max.bytes`, `min.insync.replicas`).', '');
  lines.push('| key | type | built-in default |', '|---|---|---|');
  for (const [key, spec] of Object.entries(TOPIC_CONFIG_KEYS)) {
    const kind = spec.kind === 'enum' ? spec.values!.join(' \\| ') : spec.kind;
    lines.push(`| \`${key}\` | ${kind} | \`${String(DEFAULT_LOG_CONFIG[spec.field])}\` |`);
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(renderConfigReference());
