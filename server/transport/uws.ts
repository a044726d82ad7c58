// Transport on uWebSockets.js. Frames for a socket are written once per event-loop turn, together
// (batching.ts); a topic of many sockets uses uWS' own, one serialization whatever their number.
// Its own frame limit is set well above the contract's so that the gateway can answer an oversize
// frame with close 1009 itself (the library would drop the socket with 1006).
import uWS from 'uWebSockets.js';
import { TopicMembers, TurnWriter, type Outlet } from './batching.js';
import type { HttpResponse, Socket, Transport, TransportHandlers, TransportOptions } from './types.js';

// ignoreBOM keeps a leading U+FEFF in the text (a JSON error, as on the ws transport) instead of eating it
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

interface UserData<S> { ip: string; state?: S; socket?: UwsSocket }

/** Topics of at most this many sockets are fanned out through the sockets' queues (one write per socket and turn). */
const DIRECT_FANOUT = 64;

class UwsSocket implements Socket, Outlet {
  closed = false;
  queued: string[] | null = null;
  topics: Set<string> | null = null;
  constructor(private readonly ws: uWS.WebSocket<UserData<unknown>>, readonly ip: string, private readonly owner: UwsTransport) {}
  send(text: string): void { if (!this.closed) this.owner.writer.queue(this, text); }
  writeQueued(frames: string[]): void {
    if (this.closed) return;
    if (frames.length === 1) { this.ws.send(frames[0], false, false); return; }
    // one write for all of them; a send over the backpressure limit closes the socket (then stop)
    this.ws.cork(() => { for (const f of frames) { if (this.closed) break; this.ws.send(f, false, false); } });
  }
  end(code: number, reason: string): void {
    if (this.closed) return;
    this.owner.writer.flushOne(this); // an error answer before the close
    if (this.closed) return;
    this.closed = true;
    this.owner.members.removeAll(this);
    this.ws.end(code, reason);
  }
  subscribe(topic: string): void { if (!this.closed) { this.owner.members.add(topic, this); this.ws.subscribe(topic); } }
  unsubscribe(topic: string): void { if (this.owner.members.remove(topic, this) && !this.closed) this.ws.unsubscribe(topic); }
  bufferedAmount(): number { return this.closed ? 0 : this.ws.getBufferedAmount(); }
}

export class UwsTransport implements Transport {
  readonly name = 'uws' as const;
  private readonly app: uWS.TemplatedApp;
  private listenSocket: uWS.us_listen_socket | null = null;
  readonly writer = new TurnWriter<UwsSocket>();
  readonly members = new TopicMembers<UwsSocket>();

  constructor(private readonly opts: TransportOptions) {
    this.app = uWS.App();
  }

  private route<S>({ sockets, http }: TransportHandlers<S>): void {
    const opts = this.opts;
    this.app.ws<UserData<S>>('/ws', {
      maxPayloadLength: Math.max(opts.maxFrameBytes * 16, 64 * 1024),
      maxBackpressure: opts.sendBufferLimit,
      closeOnBackpressureLimit: 1,
      idleTimeout: opts.idleTimeoutS,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => {
        const info = { ip: Buffer.from(res.getRemoteAddressAsText()).toString(), origin: req.getHeader('origin') || undefined, path: req.getUrl() };
        const refused = sockets.upgrade(info);
        if (refused) {
          res.writeStatus(`${refused[0]} Refused`).end(refused[1]);
          return;
        }
        res.upgrade<UserData<S>>({ ip: info.ip }, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'), context);
      },
      open: (ws) => {
        const data = ws.getUserData();
        const socket = new UwsSocket(ws as uWS.WebSocket<UserData<unknown>>, data.ip, this);
        data.socket = socket;
        data.state = sockets.open(socket);
      },
      message: (ws, message, isBinary) => {
        const data = ws.getUserData();
        let text: string | null = null;
        if (!isBinary && message.byteLength <= opts.maxFrameBytes) {
          // uWS already fails a connection whose text frame is not UTF-8 (RFC 6455 8.1); kept as a guard
          try { text = decoder.decode(message); } catch { text = '\uFFFD'; /* answered BAD_MESSAGE */ }
        }
        sockets.message(data.state as S, isBinary ? null : text ?? '', message.byteLength);
      },
      close: (ws, code) => {
        const data = ws.getUserData();
        if (data.socket) { data.socket.closed = true; this.members.removeAll(data.socket); }
        sockets.close(data.state as S, code);
      },
    });
    this.app.any('/*', (res, req) => {
      let aborted = false;
      res.onAborted(() => { aborted = true; });
      const method = req.getMethod().toUpperCase();
      const path = req.getUrl();
      const query = req.getQuery() ?? '';
      http(method, path, query).then((r: HttpResponse) => {
        if (aborted) return;
        res.cork(() => {
          res.writeStatus(String(r.status));
          for (const [k, v] of Object.entries(r.headers ?? {})) res.writeHeader(k, v);
          res.end(r.body);
        });
      }, () => {
        if (!aborted) res.cork(() => { res.writeStatus('500').end('internal error'); });
      });
    });
  }

  listen<S>(host: string, port: number, handlers: TransportHandlers<S>): Promise<void> {
    this.route(handlers);
    return new Promise((resolve, reject) => {
      this.app.listen(host, port, (s) => {
        if (!s) reject(new Error(`cannot listen on ${host}:${port} (port in use?)`));
        else { this.listenSocket = s; resolve(); }
      });
    });
  }

  /**
   * A topic of a few sockets goes through their queues; a larger one through uWS' topic (one loop in
   * C++), after the queued frames of its members, so that none is overtaken (uWS itself writes a
   * socket's pending topic frames before anything sent to it later). Other sockets' queues wait for
   * the end of the turn as usual.
   */
  publish(topic: string, text: string): void {
    const set = this.members.of(topic);
    if (!set) return;
    if (set.size <= DIRECT_FANOUT) { for (const s of set) s.send(text); return; }
    for (const s of set) if (s.queued) this.writer.flushOne(s);
    this.app.publish(topic, text, false, false);
  }

  stopListening(): void {
    if (this.listenSocket) uWS.us_listen_socket_close(this.listenSocket);
    this.listenSocket = null;
  }
}
