// What both transports share on the way out: every frame for a socket waits in that socket's
// queue until the end of the event-loop turn (setImmediate, after the poll phase in which Redis'
// replies and pub/sub messages were read), then all of them go out in one write (uWS `cork`, a
// corked net.Socket for `ws`). A mover's `ok` (from its command's reply) and the new `state` (from
// the game's channel) arrive in the same turn: one system call instead of two. Frames keep their
// order per socket and never wait beyond the turn.
// Topic membership is kept here too, so that a topic of a few sockets (a game's players) is fanned
// out through those queues; uws.ts hands larger ones (spectators) to the library's own topics.

/** A socket as the batching sees it: its queue (null when empty) and how it writes several frames at once. */
export interface Outlet {
  queued: string[] | null;
  /** The socket's topics (null until it subscribes to one). */
  topics: Set<string> | null;
  /** Writes `frames` (at least one) in one go, in order; does nothing once the socket closed. */
  writeQueued(frames: string[]): void;
}

export class TurnWriter<S extends Outlet> {
  private dirty: S[] = [];
  private scheduled = false;
  private readonly onImmediate = (): void => { this.scheduled = false; this.flush(); };

  queue(s: S, text: string): void {
    if (s.queued) { s.queued.push(text); return; }
    s.queued = [text];
    this.dirty.push(s);
    if (!this.scheduled) { this.scheduled = true; setImmediate(this.onImmediate); }
  }

  /** Writes every socket's queue (at the end of the turn). */
  flush(): void {
    const list = this.dirty;
    if (!list.length) return;
    this.dirty = [];
    for (const s of list) this.flushOne(s);
  }

  /** Writes one socket's queue now (before it is ended); it may stay listed, with nothing queued. */
  flushOne(s: S): void {
    const frames = s.queued;
    if (!frames) return;
    s.queued = null;
    s.writeQueued(frames);
  }
}

/** Which sockets follow which topic, both ways (a closed socket leaves all of its topics). */
export class TopicMembers<S extends Outlet> {
  private readonly topics = new Map<string, Set<S>>();

  of(topic: string): ReadonlySet<S> | undefined { return this.topics.get(topic); }

  add(topic: string, s: S): void {
    if (s.topics?.has(topic)) return;
    (s.topics ??= new Set()).add(topic);
    let set = this.topics.get(topic);
    if (!set) this.topics.set(topic, (set = new Set()));
    set.add(s);
  }

  remove(topic: string, s: S): boolean {
    if (!s.topics?.delete(topic)) return false;
    const set = this.topics.get(topic);
    if (set?.delete(s) && set.size === 0) this.topics.delete(topic);
    return true;
  }

  removeAll(s: S): void {
    if (!s.topics) return;
    for (const t of [...s.topics]) this.remove(t, s);
    s.topics = null;
  }
}
