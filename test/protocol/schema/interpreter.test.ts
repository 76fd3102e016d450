// Tests of the generic interpreter on small hand-written schemas: version gating and defaults, tagged-field
// rules (ascending order, omission at default, unknown tags skipped, bad sections rejected), nullability,
// nested error paths, the field-level flexibleVersions override and schema mistakes caught at compile time.
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../src/protocol/schema/decode.js';
import { encodeMessage, sizeOfMessage } from '../../../src/protocol/schema/encode.js';
import { planOf } from '../../../src/protocol/schema/plan.js';
import { message } from '../../../src/protocol/schema/types.js';

import { bytesOf, hex, thrown } from '../helpers/bytes.js';

const sample = message('SampleRequest', '2+', [
  { name: 'id', type: 'int32', versions: '0+' },
  { name: 'label', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
  { name: 'oldOnly', type: 'int16', versions: '0-1', default: 7 },
  { name: 'later', type: 'int64', versions: '2+', taggedVersions: '2+', tag: 5, default: -1 },
  { name: 'note', type: 'string', versions: '2+', taggedVersions: '2+', tag: 1, default: '' },
  {
    name: 'items',
    type: '[]struct',
    versions: '0+',
    fields: [
      { name: 'key', type: 'string', versions: '0+' },
      { name: 'where', type: 'struct', versions: '2+', taggedVersions: '2+', tag: 0, fields: [{ name: 'epoch', type: 'int32', versions: '0+', default: -1 }] },
    ],
  },
]);

describe('version gating and defaults', () => {
  it('v0: only v0 fields are written; the others decode as their defaults', () => {
    const bytes = encodeMessage(sample, 0, { id: 1, label: 'ignored in v0', oldOnly: 3, items: [{ key: 'k' }] });
    expect(hex(bytes)).toBe('00000001' + '0003' + '00000001' + '0001' + '6b');
    const { value, bytesRead } = decodeMessage(sample, 0, bytes);
    expect(bytesRead).toBe(bytes.length);
    expect(value).toEqual({ id: 1, label: null, oldOnly: 3, later: -1, note: '', items: [{ key: 'k', where: { epoch: -1 } }] });
  });

  it('fields left out of the value are written as their defaults', () => {
    expect(hex(encodeMessage(sample, 1, {}))).toBe('00000000' + 'ffff' + '0007' + '00000000');
  });

  it('decoded objects list every schema field in declaration order', () => {
    const { value } = decodeMessage(sample, 2, encodeMessage(sample, 2, {}));
    expect(Object.keys(value)).toEqual(['id', 'label', 'oldOnly', 'later', 'note', 'items']);
  });

  it('size is computed exactly before the single allocation', () => {
    const value = { id: 5, label: 'héllo', items: [{ key: 'a', where: { epoch: 9 } }], later: 2 ** 40, note: 'n' };
    for (const version of [0, 1, 2]) {
      expect(encodeMessage(sample, version, value).length).toBe(sizeOfMessage(sample, version, value));
    }
  });
});

describe('tagged fields (flexible versions)', () => {
  it('are written in ascending tag order, each struct ending with its section; defaults are omitted', () => {
    const bytes = encodeMessage(sample, 2, { id: 1, label: null, later: 3, note: 'hi', items: [{ key: 'k' }] });
    expect(hex(bytes)).toBe(
      '00000001' + // id
        '00' + // label: compact null
        '02' + // items: compact count 1
        '026b' + // items[0].key
        '00' + // items[0] tagged section: `where` equals its default, so empty
        '02' + // top-level section: 2 tagged fields
        '01' +
        '03' +
        '036869' + // tag 1 (note), 3 bytes, compact string "hi"
        '05' +
        '08' +
        '0000000000000003', // tag 5 (later), 8 bytes, int64 3
    );
    expect(decodeMessage(sample, 2, bytes).value).toMatchObject({ later: 3, note: 'hi' });
  });

  it('a tagged struct different from its default is written with its own size', () => {
    const bytes = encodeMessage(sample, 2, { id: 0, items: [{ key: '', where: { epoch: 4 } }] });
    expect(hex(bytes)).toBe('00000000' + '00' + '02' + '01' + '01' + '00' + '05' + '00000004' + '00' + '00');
    expect(decodeMessage(sample, 2, bytes).value.items).toEqual([{ key: '', where: { epoch: 4 } }]);
  });

  it('unknown tags are skipped by their size', () => {
    const bytes = bytesOf('00000001 00 01 02 0203aabbcc 0403ccddee');
    const { value, bytesRead } = decodeMessage(sample, 2, bytes);
    expect(bytesRead).toBe(bytes.length);
    expect(value).toMatchObject({ id: 1, later: -1, note: '', items: [] });
  });

  it('out-of-order and repeated tags are malformed', () => {
    expect(thrown(() => decodeMessage(sample, 2, bytesOf('00000001 00 01 02 0401ff 0201ff'))).message).toMatch(/out of order/);
    expect(thrown(() => decodeMessage(sample, 2, bytesOf('00000001 00 01 02 0201ff 0201ff'))).message).toMatch(/out of order/);
  });

  it('a known tag whose value does not fill its declared size is malformed', () => {
    const error = thrown(() => decodeMessage(sample, 2, bytesOf('00000001 00 01 01 0104 036869 00')));
    expect(error.kind).toBe('malformed');
    expect(error.message).toMatch(/declared 4 bytes/);
  });

  it('a known tag value cannot read past its declared size', () => {
    const error = thrown(() => decodeMessage(sample, 2, bytesOf('00000001 00 01 01 0502 0000000000000003')));
    expect(error.message).toMatch(/truncated/);
  });

  it('a tag size beyond the frame is malformed', () => {
    expect(thrown(() => decodeMessage(sample, 2, bytesOf('00000001 00 01 01 097f 00'))).message).toMatch(/truncated/);
  });
});

describe('nulls and errors', () => {
  it('null in a field that is not nullable in this version is refused on encode', () => {
    const error = thrown(() => encodeMessage(sample, 1, { id: 1, items: [{ key: null as unknown as string }] }));
    expect(error.kind).toBe('invalid-value');
    expect(error.message).toBe('SampleRequest v1 at items.0.key: null is not allowed in this version');
  });

  it('decode errors name the message, version and field path', () => {
    const bytes = encodeMessage(sample, 1, { id: 1, items: [{ key: 'a' }, { key: 'bcd' }] });
    const error = thrown(() => decodeMessage(sample, 1, bytes.subarray(0, bytes.length - 1)));
    expect(error.kind).toBe('malformed');
    expect(error.path).toEqual(['items', '1', 'key']);
    expect(error.message).toMatch(/^SampleRequest v1 at items\.1\.key: truncated/);
  });

  it('wrong value types are refused, not coerced', () => {
    expect(thrown(() => encodeMessage(sample, 0, { id: '1' as unknown as number })).kind).toBe('invalid-value');
    expect(thrown(() => encodeMessage(sample, 0, { items: {} as never })).kind).toBe('invalid-value');
    expect(thrown(() => encodeMessage(sample, 0, { items: [{ key: 5 as unknown as string }] })).kind).toBe('invalid-value');
  });
});

describe('struct and string details', () => {
  const withNullableStruct = message('NullableStruct', '0+', [
    { name: 'cursor', type: 'struct', versions: '0+', nullableVersions: '0+', default: null, fields: [{ name: 'at', type: 'int32', versions: '0+' }] },
  ]);

  it('a nullable struct has an int8 marker: −1 = null, 1 = present', () => {
    expect(hex(encodeMessage(withNullableStruct, 0, { cursor: null }))).toBe('ff00');
    expect(hex(encodeMessage(withNullableStruct, 0, { cursor: { at: 2 } }))).toBe('01' + '00000002' + '00' + '00');
    expect(decodeMessage(withNullableStruct, 0, bytesOf('ff00')).value.cursor).toBeNull();
  });

  it("a field-level flexibleVersions 'none' keeps the classic encoding in flexible versions", () => {
    const header = message('Header', '2+', [{ name: 'clientId', type: 'string', versions: '1+', nullableVersions: '1+', flexibleVersions: 'none' }]);
    expect(hex(encodeMessage(header, 2, { clientId: 'ab' }))).toBe('0002616200');
    expect(hex(encodeMessage(header, 2, { clientId: null }))).toBe('ffff00');
  });
});

describe('schema mistakes fail when the plan is compiled', () => {
  it('a tagged field in a non-flexible version', () => {
    const bad = message('Bad', '3+', [{ name: 'x', type: 'int8', versions: '0+', taggedVersions: '0+', tag: 0 }]);
    expect(() => planOf(bad, 1)).toThrow(/tagged in non-flexible/);
  });

  it('two fields with one tag, or one name twice', () => {
    const twoTags = message('Bad', '0+', [
      { name: 'a', type: 'int8', versions: '0+', taggedVersions: '0+', tag: 1 },
      { name: 'b', type: 'int8', versions: '0+', taggedVersions: '0+', tag: 1 },
    ]);
    expect(() => planOf(twoTags, 0)).toThrow(/duplicate tag/);
    const twoNames = message('Bad', 'none', [
      { name: 'a', type: 'int8', versions: '0+' },
      { name: 'a', type: 'int16', versions: '0+' },
    ]);
    expect(() => planOf(twoNames, 0)).toThrow(/duplicate field/);
  });

  it('struct types without fields', () => {
    expect(() => planOf(message('Bad', 'none', [{ name: 's', type: 'struct', versions: '0+' }]), 0)).toThrow(/fields/);
  });
});
