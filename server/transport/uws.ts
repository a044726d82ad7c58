// Transport on uWebSockets.js: topics give one serialization per published frame, whatever the
// number of subscribers. Its own frame limit is set well above the contract's so that the gateway
// can answer an oversize frame with close 1009 itself (the library would drop the socket with 1006).
import uWS from 'uWebSockets.js';
import type { HttpResponse, Socket, Transport, TransportHandlers, TransportOptions } from './types.js';

// ignoreBOM keeps a leading U+FEFF in the text (a JSON error, as on the ws transport) instead of eating it
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

interface UserData<S> { ip: string; state?: S; socket?: UwsSocket }

class UwsSocket implements Socket {
  closed = false;
  constructor(private readonly ws: uWS.WebSocket<UserData<unknown>>, readonly ip: string) {}
  send(text: string): void { if (!this.closed) this.ws.send(text, false, false); }
  end(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.end(code, reason);
  }
  subscribe(topic: string): void { if (!this.closed) this.ws.subscribe(topic); }
  unsubscribe(topic: string): void { if (!this.closed) this.ws.unsubscribe(topic); }
  bufferedAmount(): number { return this.closed ? 0 : this.ws.getBufferedAmount(); }
}

export class UwsTransport implements Transport {
  readonly name = 'uws' as const;
  private readonly app: uWS.TemplatedApp;
  private listenSocket: uWS.us_listen_socket | null = null;

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
        const socket = new UwsSocket(ws as uWS.WebSocket<UserData<unknown>>, data.ip);
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
        if (data.socket) data.socket.closed = true;
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

  publish(topic: string, text: string): void { this.app.publish(topic, text, false, false); }

  stopListening(): void {
    if (this.listenSocket) uWS.us_listen_socket_close(this.listenSocket);
    this.listenSocket = null;
  }
}
