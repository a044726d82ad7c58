// The frame around every screen: the header with the connection indicator (which gateway, and
// whether connected or reconnecting — always visible), the status live region that says whose
// turn it is or how the game ended, and the line for short error sentences.
import type { App, Model } from '../app.js';
import { connectionSentence, gameSentence } from '../text.js';
import { el, setText, show } from './dom.js';

export class ShellView {
  readonly header: HTMLElement;
  readonly status = el('p', { id: 'status', role: 'status', class: 'status' });
  readonly notice = el('p', { id: 'notice', role: 'alert', class: 'notice' });
  private readonly conn: HTMLElement;
  private readonly connText = el('span', { id: 'conn-text' });
  private readonly gateway = el('span', { id: 'gateway', class: 'gw', title: 'Gateway' });

  constructor(private readonly app: App) {
    this.conn = el('div', { id: 'connection', class: 'conn', 'data-state': 'connecting', 'aria-live': 'polite' },
      el('span', { class: 'dot', 'aria-hidden': 'true' }), this.connText, el('span', { class: 'sep', 'aria-hidden': 'true' }, '·'),
      el('span', { class: 'wide' }, 'gateway'), this.gateway);
    this.header = el('header', { class: 'top' }, el('a', { class: 'brand', href: '/' }, el('span', { 'aria-hidden': 'true' }, '◆ '), 'Trine'), this.conn);
  }

  update(m: Model): void {
    this.conn.dataset.state = m.conn.phase;
    setText(this.connText, connectionSentence(m.conn));
    setText(this.gateway, m.conn.gateway ?? '…');
    this.gateway.dataset.id = m.conn.gateway ?? '';
    setText(this.status, this.sentence(m));
    const g = this.app.current;
    const mine = !!g && g.status === 'playing' && g.turn !== null && g.turn === this.app.seat(g);
    const title = m.conn.phase === 'reconnecting' ? 'Reconnecting… · Trine' : mine ? 'Your turn · Trine' : 'Trine';
    if (document.title !== title) document.title = title;
    show(this.notice, !!m.notice);
    setText(this.notice, m.notice ?? '');
  }

  private sentence(m: Model): string {
    if (m.conn.phase === 'closed') return 'Disconnected. Reload the page to play again.';
    const s = m.screen;
    if (s.kind === 'lobby') return m.busy ? 'Setting up your game…' : 'Choose how to play.';
    if (s.kind === 'queue') return s.variant.players > 2 ? 'Looking for opponents…' : 'Looking for an opponent…';
    const g = this.app.current;
    if (!g) return 'Loading the game…';
    return gameSentence(g, this.app.seat(g));
  }
}
