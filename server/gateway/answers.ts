// Everything the gateway sends a client of its own accord goes through here, counted: answers
// (typed as the contract's ServerMessage), error answers (bad input counts toward the abuse limit)
// and the closes the gateway decides.
import { CLOSE, type ErrorCode, type ServerMessage } from '../../shared/protocol.js';
import { perLabel, type Metrics } from '../metrics.js';
import { isBadInput } from './abuse.js';
import type { Conn } from './conn.js';
import { errorFrame, frameOf } from './messages.js';

export interface AnswersDeps {
  metrics: Pick<Metrics, 'messagesOut' | 'errors' | 'closes'>;
  /** Bad input one connection may send within the abuse window before it is closed (1008). */
  abuseLimit: number;
  now(): number;
}

export class Answers {
  private readonly out = perLabel((type) => this.d.metrics.messagesOut.labels({ type }));
  constructor(private readonly d: AnswersDeps) {}

  reply(c: Conn, msg: ServerMessage): void {
    this.out(msg.t).inc();
    c.send(frameOf(msg));
  }

  fail(c: Conn, rid: string | undefined, code: ErrorCode, message?: string): void {
    this.d.metrics.errors.inc({ code });
    this.out('error').inc();
    c.send(errorFrame(code, rid, message));
    if (isBadInput(code) && c.abuse.add(this.d.now(), this.d.abuseLimit)) this.end(c, CLOSE.POLICY, 'too many bad messages');
  }

  end(c: Conn, code: number, reason: string): void {
    if (c.closed) return;
    this.d.metrics.closes.inc({ code: String(code) });
    c.socket.end(code, reason);
  }
}
