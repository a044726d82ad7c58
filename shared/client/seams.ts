// The seams the protocol client runs on, injected so that one implementation serves the page
// (the browser's WebSocket), the bots (`ws`) and the unit tests (a fake socket and a fake clock):
// a way to open a socket, a clock, and a source of random ids.

/** What the client hears from one socket. Adapters call these after `OpenSocket` has returned, never during it. */
export interface SocketEvents {
  open(): void;
  /** One text frame (binary frames are not part of the protocol: adapters drop them). */
  message(text: string): void;
  /** The socket is gone: the close code, or 1006 when it never opened or died without a close frame. */
  close(code: number): void;
}

export interface ClientSocket {
  send(text: string): void;
  /** Closes without waiting for anything; safe to call on a socket that is closing already. */
  close(code?: number): void;
}

/** Opens a socket to `url` (a ws:// or wss:// address). May throw on a malformed address. */
export type OpenSocket = (url: string, on: SocketEvents) => ClientSocket;

export type TimerHandle = unknown;

/** Time as the client sees it: `now()` only times what it reports (monotonic ms), timers drive everything else. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** 96 random bits in hex, from the platform's CSPRNG: idempotency keys (`idem`) and move ids (`mid`). */
export function randomId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The page's sockets: the browser's WebSocket behind the seam. */
export const browserSocket: OpenSocket = (url, on) => {
  const ws = new WebSocket(url);
  ws.onopen = () => on.open();
  ws.onmessage = (ev) => { if (typeof ev.data === 'string') on.message(ev.data); };
  ws.onclose = (ev) => on.close(ev.code);
  return {
    send: (text) => ws.send(text),
    close: (code) => { try { ws.close(code); } catch { /* already closing */ } },
  };
};
