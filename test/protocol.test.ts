// The message validator: clear errors, never a throw, never a wrong accept (property-tested).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CLIENT_TYPES, parseClientMessage, sanitizeName } from '../shared/protocol.js';

const valid = [
  { t: 'hello', v: 1 }, { t: 'hello', v: 1, token: 'x'.repeat(32), name: 'Ada' }, { t: 'queue', rid: 'r1' }, { t: 'unqueue' },
  { t: 'create' }, { t: 'join', code: 'ABC234' }, { t: 'watch', gameId: 'g1' }, { t: 'unwatch', gameId: 'g1' },
  { t: 'move', gameId: 'g', cell: 4, mid: 'm' }, { t: 'move', gameId: 'g', cell: 12, mid: 'm' }, { t: 'resign', gameId: 'g' },
  { t: 'rematch', gameId: 'g' }, { t: 'ping' }, { t: 'ping', rid: 'r', extra: 'ignored' },
];

test('every valid message of the contract is accepted', () => {
  for (const m of valid) assert.equal(parseClientMessage(JSON.stringify(m)).ok, true, JSON.stringify(m));
});

test('malformed messages get BAD_MESSAGE, echoing a valid rid', () => {
  const cases: [string, string | undefined][] = [
    ['not json', undefined], ['[]', undefined], ['42', undefined], ['null', undefined], ['{}', undefined],
    ['{"t":7}', undefined], ['{"t":"teleport","rid":"a"}', 'a'], ['{"t":"move","rid":"b","gameId":"g","cell":1.5,"mid":"m"}', 'b'],
    ['{"t":"move","rid":"c","gameId":"g","cell":"3","mid":"m"}', 'c'], ['{"t":"move","gameId":"g","cell":1,"mid":""}', undefined],
    ['{"t":"join"}', undefined], ['{"t":"ping","rid":""}', undefined], ['{"t":"ping","rid":5}', undefined],
    [`{"t":"ping","rid":"${'r'.repeat(65)}"}`, undefined], ['{"t":"hello"}', undefined], ['{"t":"watch","gameId":null}', undefined],
  ];
  for (const [text, rid] of cases) {
    const r = parseClientMessage(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) { assert.equal(r.code, 'BAD_MESSAGE', text); assert.equal(r.rid, rid, text); assert.ok(r.message.length > 0); }
  }
});

test('the validator never throws and accepts exactly the well-formed messages', () => {
  const wellFormed = (v: unknown): boolean => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    const str = (x: unknown, min: number, max: number) => typeof x === 'string' && x.length >= min && x.length <= max;
    if (o.rid !== undefined && !str(o.rid, 1, 64)) return false;
    switch (o.t) {
      case 'hello': return typeof o.v === 'number' && (o.token === undefined || str(o.token, 0, 512)) && (o.name === undefined || str(o.name, 0, 256));
      case 'queue': case 'unqueue': case 'create': case 'ping': return true;
      case 'join': return str(o.code, 1, 32);
      case 'watch': case 'unwatch': case 'resign': case 'rematch': return str(o.gameId, 1, 64);
      case 'move': return str(o.gameId, 1, 64) && Number.isInteger(o.cell) && str(o.mid, 1, 64);
      default: return false;
    }
  };
  const field = fc.oneof(fc.string({ maxLength: 70 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(fc.nat(), { maxLength: 2 }));
  const message = fc.record({
    t: fc.oneof(fc.constantFrom(...CLIENT_TYPES), fc.string({ maxLength: 8 }), fc.integer()),
    rid: field, v: fc.oneof(fc.constant(1), field), token: field, name: field, code: field, gameId: field, cell: fc.oneof(fc.integer({ min: -2, max: 10 }), field), mid: field,
  }, { requiredKeys: [] });
  fc.assert(fc.property(fc.oneof(message, fc.jsonValue()), (v) => {
    const text = JSON.stringify(v) ?? 'undefined';
    const r = parseClientMessage(text);
    assert.equal(r.ok, wellFormed(JSON.parse(text === 'undefined' ? 'null' : text)), text);
  }), { numRuns: 3000 });
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => { parseClientMessage(s); }), { numRuns: 2000 });
});

test('names are trimmed, folded and cut to 24 characters; control characters removed', () => {
  assert.equal(sanitizeName('  Ada   Lovelace  '), 'Ada Lovelace');
  assert.equal(sanitizeName('a\u0000b\u202Ec\nd'), 'abc d');
  assert.equal([...sanitizeName('é'.repeat(40))].length, 24);
  assert.equal(sanitizeName('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert'); // text, cut at 24
  fc.assert(fc.property(fc.string({ maxLength: 80, unit: 'binary' }), (s) => {
    const n = sanitizeName(s);
    assert.ok([...n].length <= 24);
    assert.equal(n, n.trim());
    assert.ok(!/[\p{Cc}]/u.test(n));
  }));
});
