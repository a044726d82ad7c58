// What the gateway uses of a Redis connection beyond the Store: its state, its events, a PING and a
// forced reconnect. An ioredis client is one; a unit test passes a fake.

export interface RedisLink {
  /** ioredis' connection status: 'ready' while commands can be sent. */
  readonly status: string;
  on(event: 'error', listener: (e: Error) => void): unknown;
  on(event: 'close' | 'ready', listener: () => void): unknown;
  /**
   * Subscriber only: messages may have been lost while the connection stayed (Redis Cluster moved a
   * slot: the old owner unsubscribed its channels and the client resubscribed them on the new one).
   */
  on(event: 'gap', listener: () => void): unknown;
  ping(): Promise<unknown>;
  /** Drops the connection; with `reconnect` it is made again at once. */
  disconnect(reconnect?: boolean): void;
}
