// A game of any variant, as a player or a spectator: the variant's name (unless classic), every
// seat with its mark (and online state and turn clock when the server gives them), the board, the
// invite panel of a private game that waits, and the actions that fit the moment (Resign, Rematch,
// Back to lobby), plus a spectate link.
import type { GameSnapshot } from '../../../shared/protocol.js';
import type { App, Model } from '../app.js';
import { seatCards } from '../seats.js';
import { variantOf, variantRules, variantTitle } from '../variants.js';
import { BoardView } from './board.js';
import { copyText, el, setText, show } from './dom.js';
import { SeatsView } from './seats.js';

export class GameView {
  readonly root: HTMLElement;
  private readonly seats = new SeatsView();
  private readonly title = el('h2', { class: 'variant' });
  private readonly rules = el('p', { class: 'rules' });
  private readonly heading = el('div', { class: 'variant-head' }, this.title, this.rules);
  private readonly board: BoardView;
  private readonly badge = el('p', { class: 'badge' }, 'Watching');
  private readonly banner = el('p', { class: 'banner' }, 'Reconnecting… your game is safe.');
  private readonly invite: HTMLElement;
  private readonly inviteCode = el('strong', { class: 'code' });
  private readonly inviteLink = el('input', { id: 'invite-link', type: 'text', readonly: true });
  private readonly watchLink = el('input', { id: 'watch-link', type: 'text', readonly: true });
  private readonly resign = el('button', { type: 'button', class: 'danger' }, 'Resign');
  private readonly cancel = el('button', { type: 'button' }, 'Cancel game');
  private readonly rematch = el('button', { type: 'button', class: 'primary' }, 'Rematch');
  private readonly back = el('button', { type: 'button' }, 'Back to lobby');
  private confirmUntil = 0;
  private game: GameSnapshot | null = null;

  constructor(private readonly app: App, private readonly origin: string, private readonly clockOffset: () => number) {
    this.board = new BoardView((cell) => app.move(cell));
    this.invite = el('div', { class: 'invite' },
      el('p', {}, 'Invite code ', this.inviteCode),
      el('label', { for: 'invite-link' }, 'Invite link'),
      el('div', { class: 'row' }, this.inviteLink, copyButton(this.inviteLink)));
    this.resign.addEventListener('click', () => this.onResign());
    this.cancel.addEventListener('click', () => app.resign());
    this.rematch.addEventListener('click', () => app.rematch());
    this.back.addEventListener('click', () => app.backToLobby());
    const share = el('details', { class: 'share' },
      el('summary', {}, 'Share a spectate link'),
      el('label', { for: 'watch-link' }, 'Spectate link'),
      el('div', { class: 'row' }, this.watchLink, copyButton(this.watchLink)));
    this.root = el('section', { class: 'game card', 'aria-label': 'Game' },
      this.badge, this.banner, this.heading, this.seats.root,
      this.board.root, this.invite,
      el('div', { class: 'actions' }, this.rematch, this.resign, this.cancel, this.back),
      share);
  }

  private onResign(): void {
    if (Date.now() < this.confirmUntil) { this.confirmUntil = 0; this.app.resign(); return; }
    this.confirmUntil = Date.now() + 4000;
    setText(this.resign, 'Really resign?');
    setTimeout(() => { if (Date.now() >= this.confirmUntil) setText(this.resign, 'Resign'); }, 4100);
  }

  update(m: Model): void {
    const s = m.screen;
    show(this.root, s.kind === 'game');
    if (s.kind !== 'game') return;
    const g = this.app.current;
    this.game = g;
    const seat = this.app.seat(g);
    show(this.badge, s.watching || (!!g && !seat));
    show(this.banner, m.conn.phase === 'reconnecting');
    const pm = m.pendingMove?.gameId === g?.id ? m.pendingMove : null;
    this.board.update({
      game: g,
      canPlay: !!g && !!seat && g.status === 'playing' && g.turn === seat && !pm && m.conn.phase !== 'closed',
      pending: pm && seat ? { cell: pm.cell, mark: seat } : null,
    });
    if (g) this.seats.update(seatCards(g, seat, m.presence.get(g.id)));
    const rules = g ? variantRules(variantOf(g)) : null;
    show(this.heading, rules !== null);
    if (g && rules) { setText(this.title, variantTitle(variantOf(g))); setText(this.rules, rules); }
    const out = !!seat && !!g?.out?.includes(seat);
    const waiting = g?.status === 'waiting';
    show(this.invite, !!g && waiting && !!seat && !!g.code);
    if (g?.code) {
      setText(this.inviteCode, g.code);
      this.inviteLink.value = `${this.origin}/?code=${encodeURIComponent(g.code)}`;
    }
    this.watchLink.value = g ? `${this.origin}/?watch=${encodeURIComponent(g.id)}` : '';
    const over = !!g && g.status !== 'waiting' && g.status !== 'playing';
    show(this.resign, !!seat && g?.status === 'playing' && !out);
    show(this.cancel, !!seat && waiting);
    const asked = !!g && m.rematchAsked.has(g.id);
    show(this.rematch, !!seat && over && g?.status !== 'aborted');
    this.rematch.disabled = asked;
    setText(this.rematch, asked ? 'Rematch asked…' : 'Rematch');
    show(this.back, over || !seat || out);
    this.tick();
  }

  /** Redraws the turn clock of the player to move (called a few times a second). */
  tick(): void {
    const g = this.game;
    const running = !!g && g.status === 'playing' && g.deadline !== null;
    this.seats.clock(g?.turn ?? null, running ? g.deadline! - (Date.now() + this.clockOffset()) : null);
  }
}

function copyButton(input: HTMLInputElement): HTMLButtonElement {
  const b = el('button', { type: 'button', class: 'small' }, 'Copy');
  b.addEventListener('click', () => {
    void copyText(input).then((ok) => {
      setText(b, ok ? 'Copied' : 'Press Ctrl+C');
      setTimeout(() => setText(b, 'Copy'), 1500);
    });
  });
  return b;
}
