// Free TCP ports on loopback, chosen below the kernel's ephemeral range (a port in it may be taken
// by any outgoing connection between the check and the listen: seen with the many connections of a
// Redis Cluster's clients).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The first port of the ephemeral range (/proc/sys/net/ipv4/ip_local_port_range), 32768 if unknown. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12000 ? low : 32768;
  } catch { return 32768; }
}

/** A random base in [from, below - n). */
const randomBase = (from: number, below: number, n: number) => from + Math.floor(Math.random() * Math.max(1, below - n - from));

export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = randomBase(10000, ephemeralLow(), 1);
    if (await portFree(port, host)) return port;
  }
  throw new Error('no free port found below the ephemeral range');
}

export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** A base port such that base..base+n-1 are all free. */
export async function freePortRange(n: number, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = randomBase(10000, ephemeralLow(), n);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = await portFree(base + i, host);
    if (ok) return base;
  }
  throw new Error(`no ${n} consecutive free ports found`);
}

/**
 * A base port such that base..base+n-1 and each one's cluster bus port (+10000) are free: the
 * ports of a Redis Cluster's nodes.
 */
export async function freeClusterPorts(n: number, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // the bus ports (+10000) below the ephemeral range too
    const base = randomBase(10000, ephemeralLow() - 10000, n);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = await portFree(base + i, host) && await portFree(base + i + 10000, host);
    if (ok) return base;
  }
  throw new Error(`no ${n} consecutive free ports (and their cluster bus ports) found`);
}
