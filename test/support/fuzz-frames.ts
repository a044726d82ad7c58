// Frames for the protocol fuzzer, from a seed: valid messages (aimed at real games the fuzzer has
// learned of), mutations of them (fields dropped, retyped, lengthened; text cut, spliced, escaped),
// random JSON values and strings, deep nesting, huge and odd numbers, long strings up to and past
// 4096 bytes, unicode edge cases (lone surrogates, BOM, controls, RTL override, astral), binary
// frames. What a frame deserves as an answer is decided elsewhere (fuzz-socket.ts), from the
// contract and the validator, never from how the frame was made.
import fc from 'fast-check';
import { CLIENT_TYPES, type ClientType } from '../../shared/protocol.js';

export interface Frame { data: string | Buffer; binary: boolean; kind: string }

/** What the fuzzer learned from answers: ids of real games, invite codes, move ids. */
export class Pool {
  readonly gameIds: string[] = [];
  readonly codes: string[] = [];
  /** Games that must come out unharmed (the normal games, the newest last): aimed at often. */
  readonly protectedIds: string[] = [];
  protect(id: string): void { this.protectedIds.push(id); if (this.protectedIds.length > 3) this.protectedIds.shift(); }
  add(list: string[], v: unknown): void {
    if (typeof v !== 'string' || list.includes(v)) return;
    list.push(v);
    if (list.length > 300) list.shift();
  }
}

/** mulberry32: small, fast, seeded. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]; }
  chance(p: number): boolean { return this.next() < p; }
}

const ODD_NUMBERS = ['1e400', '-1e400', '1e308', '-0', '0.0', '4.0', '4e0', '8.0000000000000001', '123456789012345678901234567890',
  '1e-400', '9007199254740993', '-9007199254740993', '0.1', '-1', '9', '1e20', '-1e20', '2e-308', '1E2', '0e0'];
const ODD_STRINGS = ['', ' ', '\u0000', '\ud800', '\udfff', '\udc00\ud800', '\ud83d\ude00', '\u202e', '\ufeff', '\u200b', 'é', 'e\u0301', '𝕏', '\u{10ffff}',
  '%s', '%1', '%%', '{g:x}', '}', '{', 'trine:game:{g:x}', '*', '?', '[a]', '../../etc/passwd', '<script>alert(1)</script>', '"\\', '\\u0000',
  'x'.repeat(64), 'x'.repeat(65), '\u00e9'.repeat(64), '\u{1F600}'.repeat(33), '\n\r\t', 'null', 'undefined', 'NaN', '__proto__', 'constructor'];
const KEYS = ['t', 'rid', 'v', 'token', 'name', 'code', 'gameId', 'cell', 'mid', 'variant', 'vs', 'idem', '__proto__', 'constructor', 'prototype', 'T', 'x'];
/** Variants for create and queue: the classic one written out (the classic game), and each way of being BAD_VARIANT. */
const VARIANTS: unknown[] = [
  { rows: 3, cols: 3, k: 3, players: 2 }, { rows: 2, cols: 3, k: 3, players: 2 }, { rows: 20, cols: 3, k: 3, players: 2 }, { rows: 3, cols: 3, k: 4, players: 2 },
  { rows: 3, cols: 3, k: 3, players: 1 }, { rows: 3, cols: 3, k: 3, players: 5 }, { rows: 3.5, cols: 3, k: 3, players: 2 }, { rows: '3', cols: 3, k: 3, players: 2 },
  { rows: 3, cols: 3, k: 3 }, { rows: 1e400, cols: 3, k: 3, players: 2 }, null, [3, 3, 3, 2], 'classic', 7, {},
];

export class FrameGen {
  private readonly rng: Rng;
  private readonly json: unknown[];
  private readonly strings: string[];
  private seq = 0;

  constructor(readonly seed: number, private readonly pool: Pool, private readonly ridPrefix: string) {
    this.rng = new Rng(seed);
    this.json = fc.sample(fc.jsonValue({ maxDepth: 3 }), { seed, numRuns: 400 });
    const units = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)), maxLength: 40 });
    this.strings = fc.sample(fc.oneof(units, fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 40 })), { seed: seed + 1, numRuns: 400 });
  }

  private rid(): string { return `${this.ridPrefix}${++this.seq}`; }
  private str(): string { return this.rng.chance(0.5) ? this.rng.pick(ODD_STRINGS) : this.rng.pick(this.strings); }
  private gameId(): string {
    const r = this.rng.next();
    if (r < 0.25 && this.pool.protectedIds.length) return this.rng.pick(this.pool.protectedIds);
    if (r < 0.75 && this.pool.gameIds.length) return this.rng.pick(this.pool.gameIds);
    return r < 0.9 ? this.rng.pick(ODD_STRINGS.filter((s) => s)) : `g${this.rng.int(0, 1e9)}`;
  }

  /** A valid message of a type other than hello (or hello, when asked). */
  valid(t: ClientType = this.rng.pick(CLIENT_TYPES.filter((x) => x !== 'hello'))): Record<string, unknown> {
    const m: Record<string, unknown> = { t };
    if (this.rng.chance(0.9)) m.rid = this.rid();
    switch (t) {
      case 'hello': m.v = 1; if (this.rng.chance(0.5)) m.name = this.str(); if (this.rng.chance(0.3)) m.token = this.str(); break;
      case 'create': if (this.rng.chance(0.3)) m.vs = 'computer'; // falls through: a variant too, now and then
      case 'queue': if (this.rng.chance(0.2)) m.variant = this.rng.pick(VARIANTS); break;
      case 'join': m.code = this.pool.codes.length && this.rng.chance(0.7) ? this.rng.pick(this.pool.codes) : this.rng.pick(['ABCDEF', 'abcdef', ' ABC23 ', 'X'.repeat(32), '%', this.str() || 'c']); break;
      case 'watch': case 'unwatch': case 'resign': case 'rematch': m.gameId = this.gameId(); break;
      case 'move':
        m.gameId = this.gameId();
        m.cell = this.rng.chance(0.85) ? this.rng.int(0, 8) : this.rng.pick([-1, 9, 1e20, -0, 2 ** 53 + 2]);
        m.mid = this.rng.chance(0.8) ? `m${this.rng.int(0, 40)}` : this.str() || 'm';
        break;
    }
    return m;
  }

  private mutateObject(m: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...m };
    for (let n = this.rng.int(1, 3); n > 0; n--) {
      const keys = Object.keys(out);
      const key = this.rng.chance(0.7) && keys.length ? this.rng.pick(keys) : this.rng.pick(KEYS);
      switch (this.rng.int(0, 6)) {
        case 0: delete out[key]; break;
        case 1: out[key] = this.rng.pick(this.json); break;
        case 2: out[key] = this.str(); break;
        case 3: out[key] = this.rng.pick([null, true, 0, -1, 1.5, [], {}, [1], { t: 'ping' }, 2 ** 64]); break;
        case 4: out.t = this.rng.chance(0.5) ? this.rng.pick(CLIENT_TYPES) : this.rng.pick(['Move', ' ping', 'PING', 'ping\u0000', 'hello ', '', 'pong', 'ok', 'state', 'error', 'welcome']); break;
        case 5: if (typeof out[key] === 'string') out[key] = (out[key] as string) + 'x'.repeat(this.rng.int(1, 600)); else out[key] = 'y'.repeat(this.rng.int(60, 300)); break;
        default: out[this.str()] = this.rng.pick(this.json); break;
      }
    }
    return out;
  }

  private mutateText(s: string): string {
    for (let n = this.rng.int(1, 3); n > 0; n--) {
      const at = this.rng.int(0, s.length);
      switch (this.rng.int(0, 7)) {
        case 0: s = s.slice(0, at); break;
        case 1: s = s.slice(0, at) + this.rng.pick(['"', '{', '}', '[', ']', ',', ':', '\\', '\\u', '\\ud800', '\u0000', '\ufeff', ' ', 'null', '1e400']) + s.slice(at); break;
        case 2: s = s.slice(0, at) + s.slice(at + this.rng.int(1, 5)); break;
        case 3: s = s.replace(/:(-?\d+)/, `:${this.rng.pick(ODD_NUMBERS)}`); break;
        case 4: s = s.replace(/"([^"\\]*)"(?=[,}])/, `"${this.rng.pick(['\\ud800', '\\udfff', '\\u0000', '\\"', '\\\\', '\\x41', '\\u00e9', '\\uD83D\\uDE00'])}"`); break;
        case 5: s = `${s},${s}`; break;
        case 6: s = s.replace(/^\{/, `{"t":${JSON.stringify(this.rng.pick(CLIENT_TYPES))},`); break; // a duplicate key
        default: s = s + this.rng.pick([' ', '\n', 'x', '}', '{}', '\u2028']); break;
      }
    }
    return s;
  }

  private deep(): string {
    const n = this.rng.int(50, 2000);
    switch (this.rng.int(0, 4)) {
      case 0: return `${'['.repeat(n)}${']'.repeat(n)}`;
      case 1: return `${'{"a":'.repeat(Math.min(n, 800))}1${'}'.repeat(Math.min(n, 800))}`;
      case 2: return `{"t":"ping","rid":"${this.rid()}","x":${'['.repeat(n)}${']'.repeat(n)}}`;
      case 3: return `{"t":"watch","rid":"${this.rid()}","gameId":${'['.repeat(Math.min(n, 1000))}"g"${']'.repeat(Math.min(n, 1000))}}`;
      default: return '['.repeat(this.rng.int(1, 4000)); // never closed
    }
  }

  private long(): string {
    const target = this.rng.chance(0.3) ? 4096 : this.rng.int(200, 4096);
    const m = this.valid();
    const field = this.rng.pick(['pad', 'rid', 'gameId', 'mid', 'code', 'name']);
    const unit = this.rng.pick(['x', 'é', '€', '\u{1F600}', '\\']);
    m[field] = '';
    const room = target - Buffer.byteLength(JSON.stringify(m));
    const unitBytes = Buffer.byteLength(JSON.stringify(unit)) - 2;
    m[field] = unit.repeat(Math.max(0, Math.floor(room / unitBytes))) + 'x'.repeat(Math.max(0, room % unitBytes));
    return JSON.stringify(m);
  }

  /** The next frame. `helloed`: the socket said hello (else hello is left to the socket). */
  next(helloed: boolean): Frame {
    const r = this.rng.next();
    const text = (data: string, kind: string): Frame => ({ data, binary: false, kind });
    if (r < 0.24) return text(JSON.stringify(this.valid()), 'valid');
    if (r < 0.52) return text(JSON.stringify(this.mutateObject(this.valid())), 'mutated-object');
    if (r < 0.66) return text(this.mutateText(JSON.stringify(this.valid())), 'mutated-text');
    if (r < 0.71) return text(JSON.stringify(this.rng.pick(this.json)) ?? 'null', 'random-json');
    if (r < 0.75) return text(this.rng.pick(this.strings), 'random-text');
    if (r < 0.78) return text(this.deep(), 'deep');
    if (r < 0.83) {
      const m = this.valid(this.rng.pick(['move', 'hello', 'ping', 'watch'] as const));
      const key = this.rng.pick(['cell', 'v', 'rid', 'gameId', 'mid']);
      return text(JSON.stringify({ ...m, [key]: 0 }).replace(`"${key}":0`, `"${key}":${this.rng.pick(ODD_NUMBERS)}`), 'odd-number');
    }
    if (r < 0.87) return text(this.long(), 'long');
    if (r < 0.91) {
      const data = this.rng.chance(0.5) ? Buffer.from(JSON.stringify(this.valid())) : Buffer.from(Array.from({ length: this.rng.int(0, 300) }, () => this.rng.int(0, 255)));
      return { data, binary: true, kind: 'binary' };
    }
    if (r < 0.92) return text(this.rng.pick(['', ' ', '\n', '{}', '""', '0', '[]', '\ufeff']), 'empty');
    if (r < 0.96) return text(JSON.stringify(helloed ? this.valid('hello') : this.mutateObject(this.valid('hello'))), 'hello-again');
    if (r < 0.995) return text(this.mutateText(JSON.stringify(this.valid())).replace(/^/, '\ufeff'), 'bom');
    if (r < 0.9975) return text(JSON.stringify({ ...this.valid(), pad: 'z'.repeat(this.rng.int(4097, 20000)) }), 'oversize');
    return text(JSON.stringify({ t: 'hello', rid: this.rid(), v: this.rng.pick([0, 2, -1, 1.5, 1e400, 99]) }).replace('null', '1e400'), 'bad-version');
  }
}
