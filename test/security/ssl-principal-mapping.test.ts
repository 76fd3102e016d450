// ssl.principal.mapping.rules: Kafka's RULE:pattern/replacement/[LU] and DEFAULT, tried in order on the whole
// distinguished name; escaped slashes and commas inside a rule; bad rules refused in one line; a round trip.
import { describe, expect, it } from 'vitest';
import { formatPrincipalMappingRules, mapPrincipalName, parsePrincipalMappingRules } from '../../src/security/ssl-principal-mapping.js';

const KEY = 'ssl.principal.mapping.rules';

describe('ssl.principal.mapping.rules', () => {
  it('maps a name by the first rule matching all of it, else as it is', () => {
    const rules = parsePrincipalMappingRules(
      KEY,
      'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/, RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U,DEFAULT',
    );
    expect(mapPrincipalName(rules, 'CN=kafka-broker,OU=ServiceUsers,O=Org,C=US')).toBe('kafka-broker');
    expect(mapPrincipalName(rules, 'CN=Adam,OU=Admin,O=Org,L=NYC,ST=NY,C=US')).toBe('adam@admin');
    expect(mapPrincipalName(rules, 'O=Org,CN=bob.smith')).toBe('BOB.SMITH');
    expect(mapPrincipalName(parsePrincipalMappingRules(KEY, 'RULE:^CN=x$/y/'), 'CN=z')).toBe('CN=z');
    expect(mapPrincipalName(parsePrincipalMappingRules(KEY, 'DEFAULT'), 'CN=z,O=a')).toBe('CN=z,O=a');
  });

  it('reads escaped slashes and commas inside a rule, and writes the rules back', () => {
    const text = 'RULE:^CN=([^,]*),O=a\\/b$/$1\\/x/L,DEFAULT';
    const rules = parsePrincipalMappingRules(KEY, text);
    expect(mapPrincipalName(rules, 'CN=Eve,O=a/b')).toBe('eve/x');
    expect(formatPrincipalMappingRules(rules)).toBe(text);
  });

  it('refuses what is neither DEFAULT nor a rule, and a pattern that is not a regular expression', () => {
    expect(() => parsePrincipalMappingRules(KEY, 'DEFAULT,NOPE')).toThrow(
      'ssl.principal.mapping.rules: "NOPE" is neither DEFAULT nor RULE:pattern/replacement/[LU]',
    );
    expect(() => parsePrincipalMappingRules(KEY, 'RULE:(/x/')).toThrow(/the pattern of "RULE:\(\/x\/" is not a regular expression/);
    expect(() => parsePrincipalMappingRules(KEY, '')).toThrow('ssl.principal.mapping.rules must hold at least one rule (DEFAULT keeps the name as it is)');
  });
});
