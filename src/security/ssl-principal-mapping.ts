// ssl.principal.mapping.rules as Kafka reads them: the principal name a client certificate's distinguished name
// (RFC 2253, most specific attribute first: "CN=alice,OU=apps,O=Acme") maps to. Rules are tried in order and the
// first whose pattern matches the whole name wins:
//   RULE:<pattern>/<replacement>/[L|U]   the name matched against <pattern> (a regular expression), rewritten
//                                         with <replacement> ($1, $2 … for its groups), then lower- or upper-cased
//   DEFAULT                               the name as it is
// A name no rule matches is used as it is. Pure; runs on the main thread.

export type PrincipalMappingRule = { kind: 'default' } | { kind: 'rule'; patternText: string; pattern: RegExp; replacement: string; toCase: 'L' | 'U' | '' };

/** One rule: RULE:pattern/replacement/ with an optional L or U, the pattern and replacement with \/ for a slash. */
const RULE = /^RULE:((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/([LU]?)$/;

/** Rules separated by commas: a comma inside a RULE's pattern or replacement belongs to it (it must be escaped \,). */
export function parsePrincipalMappingRules(key: string, text: string): PrincipalMappingRule[] {
  const rules: PrincipalMappingRule[] = [];
  for (const item of splitRules(text)) {
    if (item === 'DEFAULT') {
      rules.push({ kind: 'default' });
      continue;
    }
    const match = RULE.exec(item);
    if (match === null) throw new Error(`${key}: "${item}" is neither DEFAULT nor RULE:pattern/replacement/[LU]`);
    const patternText = unescapeSlashes(match[1]!);
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${patternText})$`);
    } catch (error) {
      throw new Error(`${key}: the pattern of "${item}" is not a regular expression (${(error as Error).message})`);
    }
    rules.push({ kind: 'rule', patternText, pattern, replacement: unescapeSlashes(match[2]!), toCase: match[3] as 'L' | 'U' | '' });
  }
  if (rules.length === 0) throw new Error(`${key} must hold at least one rule (DEFAULT keeps the name as it is)`);
  return rules;
}

export function formatPrincipalMappingRules(rules: readonly PrincipalMappingRule[]): string {
  return rules
    .map((rule) =>
      rule.kind === 'default' ? 'DEFAULT' : `RULE:${rule.patternText.replaceAll('/', '\\/')}/${rule.replacement.replaceAll('/', '\\/')}/${rule.toCase}`,
    )
    .join(',');
}

/** The principal name of `distinguishedName` under `rules`. */
export function mapPrincipalName(rules: readonly PrincipalMappingRule[], distinguishedName: string): string {
  for (const rule of rules) {
    if (rule.kind === 'default') return distinguishedName;
    if (!rule.pattern.test(distinguishedName)) continue;
    const name = distinguishedName.replace(rule.pattern, rule.replacement);
    return rule.toCase === 'L' ? name.toLowerCase() : rule.toCase === 'U' ? name.toUpperCase() : name;
  }
  return distinguishedName;
}

/** Splits at commas outside a rule's pattern and replacement (a RULE ends at its third unescaped slash and flag). */
function splitRules(text: string): string[] {
  const items: string[] = [];
  let rest = text.trim();
  while (rest !== '') {
    const rule = /^RULE:(?:\\.|[^\\/])*\/(?:\\.|[^\\/])*\/[LU]?/.exec(rest);
    const end = rule !== null ? rule[0].length : rest.indexOf(',') < 0 ? rest.length : rest.indexOf(',');
    items.push(rest.slice(0, end).trim());
    rest = rest.slice(end).trim();
    if (rest.startsWith(',')) rest = rest.slice(1).trim();
    else if (rest !== '') throw new Error(`ssl.principal.mapping.rules: expected a comma after "${items.at(-1)}", got "${rest}"`);
  }
  return items;
}

function unescapeSlashes(text: string): string {
  return text.replaceAll('\\/', '/');
}
