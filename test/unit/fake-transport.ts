// A transport without a network, for building a whole gateway in a unit test: it keeps the
// handlers given to listen(), opens fake sockets through them, and fans published frames out to the
// sockets subscribed to a topic. Ending a socket reports its close back, as a real transport does.
import type { Socket, SocketHandlers, Transport, TransportHandlers, TransportOptions } from '../../server/transport/types.js';

export class FakeSocket implements Socket {
  readonly received: string[] = [];
  readonly ended: [number, string][] = [];
  readonly topics = new Set<string>();
  closed = false;
  constructor(readonly ip: string, private readonly onEnd: (code: number) => void) {}
  send(text: string): void { if (!this.closed) this.received.push(text); }
  end(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ended.push([code, reason]);
    queueMicrotask(() => this.onEnd(code));
  }
  subscribe(topic: string): void { if (!this.closed) this.topics.add(topic); }
  unsubscribe(topic: string): void { this.topics.delete(topic); }
  bufferedAmount(): number { return 0; }
  /** The frames received, parsed. */
  frames(): { t: string; [k: string]: unknown }[] { return this.received.map((f) => JSON.parse(f) as { t: string }); }
}

export class FakeTransport implements Transport {
  readonly name = 'ws' as const;
  readonly sockets = new Set<FakeSocket>();
  handlers: TransportHandlers<unknown> | null = null;
  listening: [string, number] | null = null;
  constructor(readonly opts: TransportOptions) {}

  async listen<S>(host: string, port: number, handlers: TransportHandlers<S>): Promise<void> {
    this.handlers = handlers as TransportHandlers<unknown>;
    this.listening = [host, port];
  }

  publish(topic: string, text: string): void { for (const s of this.sockets) if (s.topics.has(topic)) s.send(text); }
  stopListening(): void { this.listening = null; }

  /** A client connecting: the upgrade decision, then the socket opened through the handlers. */
  connect(ip = '10.0.0.1', origin?: string): { socket: FakeSocket; say(msg: object): void } | [number, string] {
    const h = this.handlers!.sockets as SocketHandlers<unknown>;
    const refused = h.upgrade({ ip, origin, path: '/ws' });
    if (refused) return refused;
    let state: unknown;
    const socket = new FakeSocket(ip, (code) => { this.sockets.delete(socket); socket.topics.clear(); h.close(state, code); });
    this.sockets.add(socket);
    state = h.open(socket);
    return { socket, say: (msg) => { const text = JSON.stringify(msg); h.message(state, text, Buffer.byteLength(text)); } };
  }

  get(path: string) { return this.handlers!.http('GET', path, ''); }
}
