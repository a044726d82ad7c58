// A WebSocket client on a bare TCP socket, for the tests that need what a library will not do: send
// frames that break RFC 6455 (invalid UTF-8, bad opcodes, unmasked, lying lengths), refuse to read
// (a slow consumer), or upgrade with any headers. Reading is optional and minimal (unfragmented
// server frames, which is all a gateway sends).
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawFrameOptions {
  opcode?: number;
  fin?: boolean;
  /** false sends the payload unmasked (a protocol violation for a client). */
  mask?: boolean;
  /** Claims this payload length in the header instead of the real one. */
  claimedLength?: number;
  rsv?: number;
}

/** Encodes one client frame. */
export function encodeFrame(payload: Buffer, o: RawFrameOptions = {}): Buffer {
  const { opcode = 1, fin = true, mask = true, rsv = 0 } = o;
  const len = o.claimedLength ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const m = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126) head.push(m | len);
  else if (len < 65536) { head.push(m | 126); ext = Buffer.alloc(2); ext.writeUInt16BE(len); }
  else { head.push(m | 127); ext = Buffer.alloc(8); ext.writeBigUInt64BE(BigInt(len)); }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

export interface ServerFrame { opcode: number; payload: Buffer }

export class RawWs {
  readonly frames: ServerFrame[] = [];
  /** Bytes received after the upgrade response (read or not parsed). */
  received = 0;
  ended = false;
  private buf = Buffer.alloc(0);
  private waiters = new Set<() => void>();

  private constructor(readonly sock: Socket) {}

  /**
   * Opens a TCP connection and sends an upgrade request. Resolves with the socket once the
   * response head arrived: `status` 101 when upgraded.
   */
  static async open(url: string, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<{ ws: RawWs; status: number; head: string }> {
    const u = new URL(url);
    const sock = connect(Number(u.port), u.hostname);
    const ws = new RawWs(sock);
    sock.on('error', () => {});
    sock.on('close', () => { ws.ended = true; ws.wake(); });
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error('raw connect timeout')), timeoutMs);
      sock.once('connect', () => { clearTimeout(t); res(); });
      sock.once('error', (e) => { clearTimeout(t); rej(e); });
    });
    const lines = [`GET ${u.pathname}${u.search} HTTP/1.1`, `Host: ${u.host}`, 'Upgrade: websocket', 'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    sock.write(`${lines.join('\r\n')}\r\n\r\n`);
    const head = await new Promise<string>((res, rej) => {
      let acc = Buffer.alloc(0);
      const t = setTimeout(() => { sock.off('data', onData); rej(new Error('no upgrade response')); }, timeoutMs);
      const onData = (d: Buffer) => {
        acc = Buffer.concat([acc, d]);
        const i = acc.indexOf('\r\n\r\n');
        if (i < 0) return;
        clearTimeout(t);
        sock.off('data', onData);
        sock.pause();
        ws.buf = acc.subarray(i + 4);
        ws.received = ws.buf.length;
        res(acc.subarray(0, i).toString('latin1'));
      };
      sock.on('data', onData);
      sock.once('close', () => { clearTimeout(t); rej(new Error('closed before an upgrade response')); });
    });
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
    return { ws, status, head };
  }

  /** Starts reading and parsing the server's frames (the socket is paused until this is called). */
  read(): void {
    this.sock.on('data', (d: Buffer) => { this.received += d.length; this.buf = Buffer.concat([this.buf, d]); this.parse(); });
    this.parse();
    this.sock.resume();
  }

  private parse(): void {
    for (;;) {
      if (this.buf.length < 2) return;
      let len = this.buf[1] & 0x7f;
      let off = 2;
      if (len === 126) { if (this.buf.length < 4) return; len = this.buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (this.buf.length < 10) return; len = Number(this.buf.readBigUInt64BE(2)); off = 10; }
      if (this.buf.length < off + len) return;
      this.frames.push({ opcode: this.buf[0] & 0x0f, payload: this.buf.subarray(off, off + len) });
      this.buf = this.buf.subarray(off + len);
      this.wake();
    }
  }

  private wake(): void { for (const w of [...this.waiters]) w(); }

  write(data: Buffer): void { if (!this.sock.destroyed) this.sock.write(data); }
  sendText(text: string | Buffer, o: RawFrameOptions = {}): void { this.write(encodeFrame(Buffer.isBuffer(text) ? text : Buffer.from(text), o)); }

  /** Text messages received (JSON-parsed). */
  messages(): Record<string, any>[] {
    return this.frames.filter((f) => f.opcode === 1).map((f) => JSON.parse(f.payload.toString('utf8')));
  }
  /** The close code the server sent, or null (no close frame: dropped, or not yet). */
  closeCode(): number | null {
    const f = this.frames.find((x) => x.opcode === 8);
    return f && f.payload.length >= 2 ? f.payload.readUInt16BE(0) : f ? 1005 : null;
  }

  /** Waits until `pred` holds or the connection ends; bounded. */
  until(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return new Promise((res, rej) => {
      const check = () => { if (pred()) { done(); res(); } else if (this.ended) { done(); rej(new Error(`raw socket ended waiting for ${what}`)); } };
      const t = setTimeout(() => { done(); rej(new Error(`no ${what} within ${timeoutMs} ms`)); }, timeoutMs);
      const done = () => { clearTimeout(t); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves once the TCP connection is over (bounded). */
  waitEnd(timeoutMs = 5000): Promise<void> {
    return new Promise((res, rej) => {
      if (this.ended) { res(); return; }
      const t = setTimeout(() => rej(new Error(`raw socket still open after ${timeoutMs} ms`)), timeoutMs);
      this.sock.once('close', () => { clearTimeout(t); res(); });
    });
  }

  destroy(): void { this.sock.destroy(); }
}
