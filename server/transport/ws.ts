// Transport on the `ws` package and node:http, the portable fallback. Topics are kept here: a
// published frame is one string sent to each subscriber (serialized once by the caller).
import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Socket, SocketHandlers, Transport, TransportHandlers, TransportOptions } from './types.js';

class WsSocket implements Socket {
  closed = false;
  readonly topics = new Set<string>();
  constructor(private readonly ws: WebSocket, readonly ip: string, private readonly owner: WsTransport,
    private readonly sendBufferLimit: number) {}
  send(text: string): void {
    if (this.closed) return;
    if (this.ws.bufferedAmount > this.sendBufferLimit) { this.end(1008, 'too slow'); return; }
    this.ws.send(text);
  }
  end(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
    // a client that does not answer the close handshake is cut after 2 s
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }
  subscribe(topic: string): void { if (!this.closed && !this.topics.has(topic)) { this.topics.add(topic); this.owner.addMember(topic, this); } }
  unsubscribe(topic: string): void { if (this.topics.delete(topic)) this.owner.removeMember(topic, this); }
  bufferedAmount(): number { return this.ws.bufferedAmount; }
  dropAll(): void { for (const t of this.topics) this.owner.removeMember(t, this); this.topics.clear(); }
}

export class WsTransport implements Transport {
  readonly name = 'ws' as const;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly topics = new Map<string, Set<WsSocket>>();

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
      socket.dropAll();
      sockets.close(state, code);
    });
  }

  addMember(topic: string, s: WsSocket): void {
    let set = this.topics.get(topic);
    if (!set) this.topics.set(topic, (set = new Set()));
    set.add(s);
  }

  removeMember(topic: string, s: WsSocket): void {
    const set = this.topics.get(topic);
    if (set?.delete(s) && set.size === 0) this.topics.delete(topic);
  }

  listen<S>(host: string, port: number, handlers: TransportHandlers<S>): Promise<void> {
    this.route(handlers);
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => { this.server.off('error', reject); resolve(); });
    });
  }

  publish(topic: string, text: string): void {
    const set = this.topics.get(topic);
    if (set) for (const s of set) s.send(text);
  }

  stopListening(): void { this.server.close(); }
}
