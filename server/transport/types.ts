// The seam between the gateway and a WebSocket/HTTP server library. Two implementations:
// uws.ts (uWebSockets.js, the default) and ws.ts (the `ws` package on node:http).

/** One client socket. Methods are safe to call after it closed (they do nothing). */
export interface Socket {
  readonly ip: string;
  send(text: string): void;
  end(code: number, reason: string): void;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /** Bytes queued for this client and not yet written to the network. */
  bufferedAmount(): number;
}

export interface UpgradeInfo { ip: string; origin: string | undefined; path: string }

export interface SocketHandlers<S> {
  /** Decides whether to accept an upgrade: null accepts, a [status, text] pair refuses. */
  upgrade(info: UpgradeInfo): [number, string] | null;
  open(socket: Socket): S;
  /** `text` is null for a binary frame; `bytes` is the frame's size. */
  message(state: S, text: string | null, bytes: number): void;
  close(state: S, code: number): void;
}

export interface HttpResponse { status: number; headers?: Record<string, string>; body: string | Uint8Array }
export type HttpHandler = (method: string, path: string, query: string) => Promise<HttpResponse>;

export interface Transport {
  readonly name: 'uws' | 'ws';
  /**
   * Serves `handlers` on host:port. The handlers are given here, not at construction, so that what
   * they need (rooms publishing through this transport) can be built before them.
   */
  listen<S>(host: string, port: number, handlers: TransportHandlers<S>): Promise<void>;
  /** Sends one serialized frame to every socket subscribed to `topic`. */
  publish(topic: string, text: string): void;
  /** Stops accepting connections (open sockets stay until ended). */
  stopListening(): void;
}

export interface TransportOptions {
  /** Frames above this are not parsed; the gateway closes with 1009. Library limit is set above it. */
  maxFrameBytes: number;
  /** Bytes queued for a client that does not read before it is dropped. */
  sendBufferLimit: number;
  /** A socket silent this long (no frame, no pong) is dropped. */
  idleTimeoutS: number;
}

export interface TransportHandlers<S> {
  sockets: SocketHandlers<S>;
  http: HttpHandler;
}

/** Builds a transport (server/main.ts picks uWS or ws; a test may pass a fake). */
export type TransportFactory = (opts: TransportOptions) => Transport;
