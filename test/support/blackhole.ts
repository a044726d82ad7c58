// A TCP proxy for tests that can cut the network silently: after cut(), the connections open at
// that moment stay open but no byte goes through any more, in either direction (as when a host
// vanishes without a reset); connections made later work normally.
import { createServer, connect, type Server, type Socket } from 'node:net';

interface Pair { client: Socket; upstream: Socket; cut: boolean }

export class BlackholeProxy {
  port = 0;
  private server: Server | null = null;
  private readonly pairs = new Set<Pair>();

  constructor(private readonly targetPort: number, private readonly host = '127.0.0.1') {}

  get url(): string { return `redis://${this.host}:${this.port}`; }

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.host);
      const pair: Pair = { client, upstream, cut: false };
      this.pairs.add(pair);
      client.on('data', (d) => { if (!pair.cut) upstream.write(d); });
      upstream.on('data', (d) => { if (!pair.cut) client.write(d); });
      const end = () => { this.pairs.delete(pair); if (!pair.cut) { client.destroy(); upstream.destroy(); } };
      client.on('close', end);
      upstream.on('close', end);
      client.on('error', () => {});
      upstream.on('error', () => {});
    });
    await new Promise<void>((res) => this.server!.listen(0, this.host, () => res()));
    this.port = (this.server!.address() as { port: number }).port;
  }

  /** Silences every connection open now, without closing it. */
  cut(): void {
    for (const p of this.pairs) { p.cut = true; p.upstream.destroy(); }
  }

  async stop(): Promise<void> {
    for (const p of this.pairs) { p.client.destroy(); p.upstream.destroy(); }
    this.pairs.clear();
    await new Promise<void>((res) => (this.server ? this.server.close(() => res()) : res()));
  }
}
