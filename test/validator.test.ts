// Property tests of the message validator (shared/protocol.ts parseClientMessage) against an
// independent statement of the contract's schemas: random JSON values, valid messages with random
// field values, and mutations of valid messages (field-level and text-level). The validator must
// never throw, never accept an invalid message, never reject a valid one, and echo a valid rid
// (ridOf, used for answers given before validation, agrees).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CLIENT_TYPES, ERROR_CODES, parseClientMessage, ridOf } from '../shared/protocol.js';

type Obj = Record<string, unknown>;
const own = (o: Obj, k: string) => Object.prototype.hasOwnProperty.call(o, k);
/** String lengths count code points (a lone surrogate is one). */
const str = (x: unknown, min: number, max: number) => typeof x === 'string' && [...x].length >= min && [...x].length <= max;
const isRid = (x: unknown) => str(x, 1, 64);

/** Each type's fields: name -> whether required, and what a valid value is (the contract, restated). */
const FIELDS: Record<string, Record<string, [required: boolean, ok: (x: unknown) => boolean]>> = {
  hello: { v: [true, (x) => typeof x === 'number'], token: [false, (x) => str(x, 0, 512)], name: [false, (x) => str(x, 0, 256)] },
  queue: {}, unqueue: {}, create: {}, ping: {},
  join: { code: [true, (x) => str(x, 1, 32)] },
  watch: { gameId: [true, (x) => str(x, 1, 64)] }, unwatch: { gameId: [true, (x) => str(x, 1, 64)] },
  resign: { gameId: [true, (x) => str(x, 1, 64)] }, rematch: { gameId: [true, (x) => str(x, 1, 64)] },
  move: { gameId: [true, (x) => str(x, 1, 64)], cell: [true, (x) => Number.isInteger(x)], mid: [true, (x) => str(x, 1, 64)] },
};

/** The oracle: is this parsed JSON value a valid client message? */
function wellFormed(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Obj;
  if (typeof o.t !== 'string' || !own(FIELDS, o.t) || !own(o, 't')) return false;
  if (own(o, 'rid') && o.rid !== undefined && !isRid(o.rid)) return false;
  for (const [k, [required, ok]] of Object.entries(FIELDS[o.t])) {
    if (!own(o, k)) { if (required) return false; continue; }
    if (!ok(o[k])) return false;
  }
  return true;
}

/** Checks one frame against the oracle; returns the result for further checks. */
function check(text: string): ReturnType<typeof parseClientMessage> {
  let r: ReturnType<typeof parseClientMessage>;
  try { r = parseClientMessage(text); } catch (e) { assert.fail(`threw on ${JSON.stringify(text).slice(0, 200)}: ${String(e)}`); }
  let value: unknown;
  let json = true;
  try { value = JSON.parse(text); } catch { json = false; }
  const expected = json && wellFormed(value);
  const obj = json && value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : null;
  assert.equal(ridOf(text), obj && isRid(obj.rid) ? obj.rid : undefined, 'ridOf (the rid of a RATE_LIMITED answer)');
  assert.equal(r.ok, expected, `${expected ? 'rejected a valid' : 'accepted an invalid'} message: ${text.slice(0, 300)}`);
  if (!r.ok) {
    assert.ok((ERROR_CODES as readonly string[]).includes(r.code));
    assert.equal(r.code, 'BAD_MESSAGE');
    assert.ok(typeof r.message === 'string' && r.message.length > 0 && r.message.length <= 200, 'a short message for people');
    assert.equal(r.rid, obj && isRid(obj.rid) ? obj.rid : undefined, `rid echo of ${text.slice(0, 200)}`);
  } else {
    // the accepted message keeps exactly the contract's fields, with the values sent
    const o = value as Obj;
    const keep = ['t', 'rid', ...Object.keys(FIELDS[o.t as string])].filter((k) => own(o, k) && o[k] !== undefined);
    assert.deepEqual(Object.keys(r.msg).sort(), keep.sort(), text.slice(0, 200));
    for (const k of keep) assert.ok(Object.is((r.msg as Obj)[k], o[k]), `field ${k} of ${text.slice(0, 200)}`);
  }
  return r;
}

// Strings of any UTF-16 code units, lone surrogates included.
const codeUnits = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)), maxLength });
const text = (min: number, max: number) => fc.oneof(fc.string({ minLength: min, maxLength: max }), codeUnits(max).filter((s) => [...s].length >= min),
  fc.string({ unit: 'binary', minLength: min, maxLength: max }));
const anyInteger = fc.oneof(fc.integer({ min: -2, max: 10 }), fc.integer(), fc.maxSafeInteger(), fc.constantFrom(2 ** 53 + 2, 1e20, -1e300, Number.MAX_VALUE, -0));
const extras = fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'T', ' t')),
  fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }).map((d) => { for (const k of Object.keys(FIELDS.move).concat('t', 'rid', 'v', 'token', 'name', 'code')) delete d[k]; return d; });

/** Valid messages of every type, with random field values within the contract. */
const validMessage: fc.Arbitrary<Obj> = fc.oneof(...CLIENT_TYPES.map((t) => {
  const fields: Record<string, fc.Arbitrary<unknown>> = { rid: text(1, 64) };
  const required: string[] = [];
  for (const [k, [req]] of Object.entries(FIELDS[t])) {
    if (req) required.push(k);
    fields[k] = k === 'v' ? fc.oneof(fc.constant(1), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()) : k === 'cell' ? anyInteger
      : k === 'token' ? text(0, 512) : k === 'name' ? text(0, 256) : k === 'code' ? text(1, 32) : text(1, 64);
  }
  return fc.tuple(fc.record(fields, { requiredKeys: required }), extras).map(([f, x]) => ({ ...x, ...f, t }));
}));

/** A JSON value that is wrong for most fields. */
const wrongValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(''), fc.constant(null), fc.constant([]), fc.constant({}),
  fc.double(), fc.constantFrom('1', '4', 'x'.repeat(65), 'x'.repeat(513), 1.5, -0.0001, true), text(0, 80));

const mutation = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('set' as const), pick: fc.nat(), value: wrongValue }),
  fc.record({ op: fc.constant('type' as const), value: fc.oneof(fc.constantFrom(...CLIENT_TYPES), fc.constantFrom('Move', ' ping', 'ping ', 'PING', '', 'hello\u0000'), fc.string({ maxLength: 8 }), wrongValue) }),
  fc.record({ op: fc.constant('longer' as const), pick: fc.nat(), by: fc.integer({ min: 1, max: 600 }) }),
);

type Mutation = { op: 'delete' | 'set' | 'type' | 'longer'; pick?: number; value?: unknown; by?: number };

function mutate(msg: Obj, muts: Mutation[]): Obj {
  const m: Obj = { ...msg };
  for (const u of muts) {
    const keys = Object.keys(m);
    const key = keys[(u.pick ?? 0) % Math.max(1, keys.length)] ?? 't';
    if (u.op === 'delete') delete m[key];
    else if (u.op === 'set') m[key] = u.value;
    else if (u.op === 'type') m.t = u.value;
    else if (u.op === 'longer' && typeof m[key] === 'string') m[key] = (m[key] as string) + 'x'.repeat(u.by ?? 1);
  }
  return m;
}

test('random JSON values: accepted exactly when they are valid messages, never a throw', () => {
  fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.anything().map((v) => JSON.parse(JSON.stringify(v) ?? 'null'))), (v) => {
    check(JSON.stringify(v));
  }), { numRuns: 3000 });
});

test('valid messages with random field values (unicode, lone surrogates, huge integers, unknown fields) are never rejected', () => {
  fc.assert(fc.property(validMessage, (m) => {
    const r = check(JSON.stringify(m));
    assert.equal(r.ok, true);
  }), { numRuns: 4000 });
});

test('mutations of valid messages: rejected exactly when the result is invalid, with the rid echoed', () => {
  fc.assert(fc.property(validMessage, fc.array(mutation, { minLength: 1, maxLength: 3 }), (m, muts) => {
    check(JSON.stringify(mutate(m, muts)));
  }), { numRuns: 6000 });
});

test('text-level mutations (truncation, inserted, deleted or replaced characters) never throw and never slip through', () => {
  const edit = fc.record({ at: fc.nat(), len: fc.integer({ min: 0, max: 4 }), insert: fc.oneof(codeUnits(3), fc.constantFrom('"', '{', '}', ',', ':', '\\', '\uFEFF', '\u0000', '1e400', '[', ']', 'null')) });
  fc.assert(fc.property(validMessage, fc.array(edit, { minLength: 1, maxLength: 3 }), (m, edits) => {
    let s = JSON.stringify(m);
    for (const e of edits) { const at = e.at % (s.length + 1); s = s.slice(0, at) + e.insert + s.slice(at + e.len); }
    check(s);
  }), { numRuns: 6000 });
  fc.assert(fc.property(codeUnits(300), (s) => { check(s); }), { numRuns: 3000 });
});

test('edge cases: deep nesting, huge numbers, number spellings, duplicate keys, prototype keys', () => {
  const deep = (n: number, open: string, close: string, inner = '1') => open.repeat(n) + inner + close.repeat(n);
  const cases = [
    deep(2040, '[', ']'), deep(1000, '{"a":', '}'), `{"t":"ping","x":${deep(2000, '[', ']')}}`, `{"t":"watch","gameId":${deep(500, '[', ']', '"g"')}}`,
    '{"t":"move","gameId":"g","cell":1e400,"mid":"m"}', '{"t":"move","gameId":"g","cell":-1e400,"mid":"m"}',
    '{"t":"move","gameId":"g","cell":123456789012345678901234567890,"mid":"m"}', '{"t":"move","gameId":"g","cell":4.0,"mid":"m"}',
    '{"t":"move","gameId":"g","cell":4e0,"mid":"m"}', '{"t":"move","gameId":"g","cell":-0,"mid":"m"}', '{"t":"move","gameId":"g","cell":1e-400,"mid":"m"}',
    '{"t":"move","gameId":"g","cell":0x4,"mid":"m"}', '{"t":"move","gameId":"g","cell":04,"mid":"m"}', '{"t":"move","gameId":"g","cell":NaN,"mid":"m"}',
    '{"t":"hello","v":1e400}', '{"t":"hello","v":-0}', '{"t":"hello","v":1.0}', '{"t":"hello","v":"1"}',
    '{"t":"ping","t":"move"}', '{"t":"move","gameId":"g","cell":1,"mid":"m","t":"ping"}', '{"t":"ping","rid":"a","rid":""}',
    '{"t":"ping","__proto__":{"rid":"x"}}', '{"__proto__":{"t":"ping"}}', '{"t":"__proto__"}', '{"t":"constructor"}', '{"t":"toString"}',
    '{"t":"ping","rid":"\\ud800"}', '{"t":"join","code":"\\udfff"}', '\uFEFF{"t":"ping"}', '{"t":"ping"}\u0000', ' {"t":"ping"} ', '{"t":"ping"}{"t":"ping"}',
    '', ' ', 'null', 'true', '"ping"', '[{"t":"ping"}]', '{"t":["ping"]}', '{"t":{"toString":"ping"}}',
  ];
  for (const c of cases) check(c);
  const big = parseClientMessage('{"t":"move","rid":"r","gameId":"g","cell":1e20,"mid":"m"}');
  assert.ok(big.ok && big.msg.t === 'move' && big.msg.cell === 1e20, 'an integer out of 0..8, however large, passes validation (the move command answers BAD_CELL)');
  const inf = parseClientMessage('{"t":"hello","v":1e400}');
  assert.ok(inf.ok && inf.msg.t === 'hello' && inf.msg.v === Infinity, 'a number too large for a double is still a version other than 1');
});
