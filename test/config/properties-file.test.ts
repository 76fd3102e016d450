// .properties files read as java.util.Properties.load reads them: the examples of its Javadoc (separators,
// continuations, a key alone, escapes), comments that do not continue, last value wins; and Fjord's own check
// of a line without = or :.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseProperties, resolveBrokerConfig } from '../../src/config/broker-config.js';
import { propertyEntries } from '../../src/config/properties-file.js';

const pairs = (text: string) => propertyEntries(text).map((e) => [e.key, e.value]);

describe('java.util.Properties.load examples', () => {
  it('reads = , : and blanks as separators, with blanks around them', () => {
    expect(pairs('Truth = Beauty\n  Truth:Beauty\nTruth                    :Beauty\n')).toEqual([
      ['Truth', 'Beauty'],
      ['Truth', 'Beauty'],
      ['Truth', 'Beauty'],
    ]);
  });

  it("joins continued lines, dropping the continuation lines' leading blanks", () => {
    const text =
      'fruits                           apple, banana, pear, \\\n' +
      '                                  cantaloupe, watermelon, \\\n' +
      '                                  kiwi, mango\n';
    expect(pairs(text)).toEqual([['fruits', 'apple, banana, pear, cantaloupe, watermelon, kiwi, mango']]);
    expect(propertyEntries(text)[0]!.line).toBe(1);
  });

  it('reads a key alone as an empty value', () => {
    expect(pairs('cheeses\n')).toEqual([['cheeses', '']]);
  });

  it('reads escapes: \\t \\n \\r \\f \\uXXXX, escaped separators in a key, a dropped backslash before any other character', () => {
    expect(pairs('tab\\tkey = a\\tb\\nc\\rd\\fe\\u0041\\q')).toEqual([['tab\tkey', 'a\tb\nc\rd\feAq']]);
    expect(pairs('\\:\\=\\ key=value')).toEqual([[':= key', 'value']]);
    expect(pairs('key=a\\\\')).toEqual([['key', 'a\\']]);
    expect(() => propertyEntries('bad=\\u12')).toThrow(/\\u12/);
  });

  it('skips # and ! comments and blank lines; a comment never continues; an even run of backslashes ends the line', () => {
    const text = '# comment \\\nfirst=1\n\n   \n! bang\n  # indented comment\nsecond = a\\\\\nthird = b\\\n  # not a comment\n';
    expect(pairs(text)).toEqual([
      ['first', '1'],
      ['second', 'a\\'],
      ['third', 'b# not a comment'],
    ]);
  });

  it("keeps the value's trailing blanks and = or : after the separator; CRLF and CR end lines too", () => {
    expect(pairs('a = x  \nb:=c\nc==d\r\nd=4\re=5')).toEqual([
      ['a', 'x  '],
      ['b', '=c'],
      ['c', '=d'],
      ['d', '4'],
      ['e', '5'],
    ]);
  });
});

describe('broker properties files', () => {
  it('take the last of a key given twice, and continued values of broker keys', () => {
    const parsed = parseProperties('num.partitions=2\nlog.dirs /a,\\\n    /b\nnum.partitions=3\n', 'x.properties');
    expect([...parsed]).toEqual([
      ['num.partitions', '3'],
      ['log.dirs', '/a,/b'],
    ]);
    expect(resolveBrokerConfig(parsed).logDirs).toEqual(['/a', '/b']);
  });

  it('name the file and line of a line without = or : that names no broker key, and of a bad escape', () => {
    expect(() => parseProperties('log.dirs=/a\n\nfruits apple, banana\n', 'x.properties')).toThrow(
      /^x.properties:3: expected key=value, got "fruits apple, banana"$/,
    );
    expect(() => parseProperties('log.dirs=\\u00', 'x.properties')).toThrow(ConfigError);
    expect(() => parseProperties('log.dirs=\\u00', 'x.properties')).toThrow(/^x.properties: /);
  });
});
