// Transport on the `ws` package and node:http, the portable fallback. Topics are kept here: a
// published frame is one string sent to each subscriber (serialized once by the caller). Frames
// for a socket are written once per event-loop turn, together (batching.ts).
import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { TopicMembers, TurnWriter, type Outlet } from './batching.js';
import type { Socket, SocketHandlers, Transport, TransportHandlers, TransportOptions } from './types.js';

class WsSocket implements Socket, Outlet {
  closed = false;
  queued: string[] | null = null;
  topics: Set<string> | null = null;
  constructor(private readonly ws: WebSocket, readonly ip: string, private readonly owner: WsTransport,
    private readonly sendBufferLimit: number) {}
  send(text: string): void {
    if (this.closed) return;
    if (this.ws.bufferedAmount > this.sendBufferLimit) { this.end(1008, 'too slow'); return; }
    this.owner.writer.queue(this, text);
  }
  writeQueued(frames: string[]): void {
    if (this.closed) return;
    if (frames.length === 1) { this.ws.send(frames[0]); return; }
    // `ws` writes each frame to its net.Socket: corked, they leave in one writev
    const raw = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    raw?.cork();
    for (const f of frames) this.ws.send(f);
    raw?.uncork();
  }
  end(code: number, reason: string): void {
    if (this.closed) return;
    this.owner.writer.flushOne(this); // an error answer before the close
    this.closed = true;
    this.ws.close(code, reason);
    // a client that does not answer the close handshake is cut after 2 s
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }
  subscribe(topic: string): void { if (!this.closed) this.owner.members.add(topic, this); }
  unsubscribe(topic: string): void { this.owner.members.remove(topic, this); }
  bufferedAmount(): number { return this.ws.bufferedAmount; }
}

export class WsTransport implements Transport {
  readonly name = 'ws' as const;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  readonly writer = new TurnWriter<WsSocket>();
  readonly members = new TopicMembers<WsSocket>();

  constructor(private readonly opts: TransportOptions) {
    this.server = createServer();
    this.wss = new WebSocketServer({ noServer: true, maxPayload: Math.max(opts.maxFrameBytes * 16, 64 * 1024), perMessageDeflate: false });
  }

  private route<S>({ sockets, http }: TransportHandlers<S>): void {
    this.server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      http(req.method ?? 'GET', url.pathname, url.search.slice(1)).then((r) => {
        res.writeHead(r.status, r.headers);
        res.end(r.body);
      }, () => { res.writeHead(500); res.end('internal error'); });
    });
    this.server.on('upgrade', (req, sock, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const ip = req.socket.remoteAddress ?? '';
      const refused = url.pathname !== '/ws' ? [404, 'not found'] as [number, string]
        : sockets.upgrade({ ip, origin: req.headers.origin, path: url.pathname });
      if (refused) {
        sock.end(`HTTP/1.1 ${refused[0]} Refused\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(refused[1])}\r\n\r\n${refused[1]}`);
        return;
      }
      this.wss.handleUpgrade(req, sock, head, (ws) => this.accept(ws, ip, sockets));
    });
  }

  private accept<S>(ws: WebSocket, ip: string, sockets: SocketHandlers<S>): void {
    const opts = this.opts;
    const socket = new WsSocket(ws, ip, this, opts.sendBufferLimit);
    const state = sockets.open(socket);
    let alive = true;
    const idle = setInterval(() => {
      if (!alive) { ws.terminate(); return; }
      alive = false;
      ws.ping();
    }, Math.max(1, opts.idleTimeoutS / 2) * 1000);
    ws.on('pong', () => { alive = true; });
    ws.on('message', (data, isBinary) => {
      alive = true;
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const text = isBinary ? null : buf.length <= opts.maxFrameBytes ? buf.toString('utf8') : '';
      sockets.message(state, text, buf.length);
    });
    ws.on('error', () => { /* followed by close */ });
    ws.on('close', (code) => {
      clearInterval(idle);
      socket.closed = true;
      this.members.removeAll(socket);
      sockets.close(state, code);
    });
  }

  listen<S>(host: string, port: number, handlers: TransportHandlers<S>): Promise<void> {
    this.route(handlers);
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => { this.server.off('error', reject); resolve(); });
    });
  }

  publish(topic: string, text: string): void {
    const set = this.members.of(topic);
    if (set) for (const s of set) s.send(text);
  }

  stopListening(): void { this.server.close(); }
}
