// Below the contract: bytes that are not a valid WebSocket conversation at all. Text frames that are
// not UTF-8, reserved opcodes and bits, oversized or fragmented control frames, lying lengths,
// unmasked frames, and HTTP garbage before any upgrade. RFC 6455 has the library fail such a
// connection (ws answers 1002/1007; uWebSockets.js drops it without a close frame); past the
// libraries, what matters is that the gateway lives on and serves everyone else.
import { connect } from 'node:net';
import { encodeFrame, RawWs } from './raw-ws.js';

export interface RawOutcome { name: string; ended: boolean; code: number | null; status?: number }

const text = (bytes: number[]) => Buffer.from(bytes);
export const VIOLATIONS: [string, (w: RawWs) => void][] = [
  ['utf8: lone continuation byte', (w) => w.sendText(text([0x7b, 0x80, 0x7d]))],
  ['utf8: overlong slash', (w) => w.sendText(text([0x22, 0xc0, 0xaf, 0x22]))],
  ['utf8: encoded surrogate (CESU-8)', (w) => w.sendText(Buffer.concat([Buffer.from('{"t":"ping","rid":"'), text([0xed, 0xa0, 0x80]), Buffer.from('"}')]))],
  ['utf8: truncated 4-byte sequence', (w) => w.sendText(text([0x22, 0xf0, 0x9f, 0x98]))],
  ['utf8: above U+10FFFF', (w) => w.sendText(text([0xf4, 0x90, 0x80, 0x80]))],
  ['utf8: byte 0xff', (w) => w.sendText(text([0xff, 0xfe]))],
  ['utf8: split across fragments', (w) => { w.sendText(text([0x22, 0xe2, 0x82]), { fin: false }); w.sendText(text([0x41, 0x22]), { opcode: 0 }); }],
  ['reserved data opcode 3', (w) => w.sendText('{"t":"ping"}', { opcode: 3 })],
  ['reserved control opcode 11', (w) => w.sendText('x', { opcode: 11 })],
  ['RSV1 without an extension', (w) => w.sendText('{"t":"ping"}', { rsv: 4 })],
  ['ping over 125 bytes', (w) => w.sendText('x'.repeat(200), { opcode: 9 })],
  ['fragmented ping', (w) => w.sendText('x', { opcode: 9, fin: false })],
  ['continuation with nothing to continue', (w) => w.sendText('{"t":"ping"}', { opcode: 0 })],
  ['new text frame inside a fragmented message', (w) => { w.sendText('{"t":', { fin: false }); w.sendText('{"t":"ping"}'); }],
  ['close with code 999', (w) => w.sendText(text([0x03, 0xe7]), { opcode: 8 })],
  ['close with a 1-byte payload', (w) => w.sendText(text([0x03]), { opcode: 8 })],
  ['close with invalid UTF-8 reason', (w) => w.sendText(text([0x03, 0xe8, 0xff]), { opcode: 8 })],
  ['length claims 2^40 bytes', (w) => w.sendText('xxxxxxxx', { claimedLength: 2 ** 40 })],
  ['length claims 2^63-1 bytes', (w) => w.write(Buffer.concat([text([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Buffer.alloc(4)]))],
  ['unmasked frame', (w) => w.sendText('{"t":"ping"}', { mask: false })],
  ['half a header, then silence', (w) => w.write(text([0x81]))],
  ['garbage bytes instead of frames', (w) => w.write(Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff)))],
];

/** Fragments adding up past 4096 bytes: the gateway's own limit, 1009 on both transports. */
export const TOO_BIG_IN_FRAGMENTS = (w: RawWs) => { w.sendText('x'.repeat(3000), { fin: false }); w.sendText('y'.repeat(3000), { opcode: 0 }); };

export async function violation(url: string, name: string, act: (w: RawWs) => void, waitMs = 3000): Promise<RawOutcome> {
  const { ws } = await RawWs.open(url);
  ws.read();
  act(ws);
  await ws.waitEnd(waitMs).catch(() => {});
  const out = { name, ended: ws.ended, code: ws.closeCode() };
  ws.destroy();
  return out;
}

const HTTP_GARBAGE: [string, (host: string) => string | Buffer][] = [
  ['random bytes', () => Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) & 0xff))],
  ['upgrade without a key', (h) => `GET /ws HTTP/1.1\r\nHost: ${h}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n`],
  ['upgrade with version 8', (h) => `GET /ws HTTP/1.1\r\nHost: ${h}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n`],
  ['upgrade with a bad key', (h) => `GET /ws HTTP/1.1\r\nHost: ${h}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: !!\r\nSec-WebSocket-Version: 13\r\n\r\n`],
  ['32 KB header', (h) => `GET /ws HTTP/1.1\r\nHost: ${h}\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`],
  ['64 KB request line', () => `GET /${'a'.repeat(64 * 1024)} HTTP/1.1\r\n\r\n`],
  ['unknown method and version', () => 'BREW /ws HTCPCP/1.0\r\n\r\n'],
  ['header without colon', (h) => `GET /healthz HTTP/1.1\r\nHost: ${h}\r\nnonsense\r\n\r\n`],
  ['POST with a lying length', (h) => `POST /healthz HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 99999999\r\n\r\nabc`],
  ['path traversal', (h) => `GET /../../../../etc/passwd HTTP/1.1\r\nHost: ${h}\r\n\r\n`],
];

/** Raw HTTP nonsense to the gateway's port; resolves when the server is done with it (bounded). */
export async function httpGarbage(url: string): Promise<RawOutcome[]> {
  const u = new URL(url);
  return Promise.all(HTTP_GARBAGE.map(([name, make]) => new Promise<RawOutcome>((resolve) => {
    const sock = connect(Number(u.port), u.hostname);
    let head = '';
    const done = () => { clearTimeout(t); sock.destroy(); resolve({ name, ended: sock.readableEnded || sock.destroyed, code: null, status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0) }); };
    const t = setTimeout(done, 2000);
    sock.on('error', done);
    sock.on('close', done);
    sock.on('data', (d) => { if (head.length < 200) head += d.toString('latin1'); });
    sock.on('connect', () => sock.write(make(u.host)));
  })));
}

export { encodeFrame };
