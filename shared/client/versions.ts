// Which snapshot a receiver keeps (docs/PROTOCOL.md, "Snapshots"): the one with the highest
// version, except that a `state` frame carrying `"reset": true` replaces whatever is held, even at
// a lower version. The gateway sends a reset with the first state after a socket joins a game, and
// when it finds that the store rolled back: then the lower version IS the truth.

/** What a received `state` is to a receiver that holds version `held` of that game (undefined: none). */
export type Arrival =
  | 'newer'       // no snapshot held, or a higher version: keep it
  | 'duplicate'   // the version held, again: ignore it
  | 'older'       // a lower version without reset: a stale message, ignore it
  | 'reset'       // a reset at the version held or higher: keep it
  | 'rolled-back'; // a reset to a LOWER version: keep it (the store lost history), and a checker flags it

export function classifyState(held: number | undefined, incoming: number, reset: boolean): Arrival {
  if (held === undefined) return reset ? 'reset' : 'newer';
  if (reset) return incoming < held ? 'rolled-back' : 'reset';
  return incoming > held ? 'newer' : incoming === held ? 'duplicate' : 'older';
}

/** Whether the receiver replaces what it holds with the received snapshot. */
export const keeps = (a: Arrival): boolean => a === 'newer' || a === 'reset' || a === 'rolled-back';
