// A game, as a player or a spectator: both players with their marks (and online state and turn
// clock when the server gives them), the board, the invite panel of a private game that waits,
// and the actions that fit the moment (Resign, Rematch, Back to lobby), plus a spectate link.
import type { GameSnapshot } from '../../../shared/protocol.js';
import type { Mark } from '../../../shared/rules.js';
import type { App, Model } from '../app.js';
import { clockText } from '../text.js';
import { BoardView } from './board.js';
import { copyText, el, setText, show, toggleClass } from './dom.js';

class PlayerCard {
  readonly root: HTMLElement;
  private readonly name = el('span', { class: 'name' });
  private readonly tag = el('span', { class: 'tag' });
  private readonly online = el('span', { class: 'online' });
  readonly clock = el('span', { class: 'clock', title: 'Time left to move' });

  constructor(readonly mark: Mark) {
    this.root = el('div', { class: `player mark-${mark}` },
      el('span', { class: 'mark', 'aria-hidden': 'true' }, mark),
      el('div', { class: 'who' }, this.name, el('div', { class: 'meta' }, this.tag, this.online, this.clock)));
  }

  update(g: GameSnapshot, seat: Mark | null, online: boolean | undefined): void {
    const p = g.players[this.mark];
    setText(this.name, p ? p.name : 'Open seat');
    toggleClass(this.name, 'empty', !p);
    setText(this.tag, seat === this.mark ? 'you' : '');
    show(this.tag, seat === this.mark);
    show(this.online, !!p && online !== undefined);
    setText(this.online, online ? 'online' : 'offline');
    toggleClass(this.online, 'off', online === false);
    toggleClass(this.root, 'to-move', g.status === 'playing' && g.turn === this.mark);
    toggleClass(this.root, 'winner', g.status === 'won' && g.winner === this.mark);
  }
}

export class GameView {
  readonly root: HTMLElement;
  private readonly cards: Record<string, PlayerCard> = { X: new PlayerCard('X'), O: new PlayerCard('O') };
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
      this.badge, this.banner,
      el('div', { class: 'players' }, this.cards.X.root, el('span', { class: 'vs', 'aria-hidden': 'true' }, 'vs'), this.cards.O.root),
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
    const presence = g ? m.presence.get(g.id) : undefined;
    for (const mark of ['X', 'O'] as const) if (g) this.cards[mark].update(g, seat, presence?.[mark]);
    const waiting = g?.status === 'waiting';
    show(this.invite, !!g && waiting && !!seat && !!g.code);
    if (g?.code) {
      setText(this.inviteCode, g.code);
      this.inviteLink.value = `${this.origin}/?code=${encodeURIComponent(g.code)}`;
    }
    this.watchLink.value = g ? `${this.origin}/?watch=${encodeURIComponent(g.id)}` : '';
    const over = !!g && g.status !== 'waiting' && g.status !== 'playing';
    show(this.resign, !!seat && g?.status === 'playing');
    show(this.cancel, !!seat && waiting);
    const asked = !!g && m.rematchAsked.has(g.id);
    show(this.rematch, !!seat && over && g?.status !== 'aborted');
    this.rematch.disabled = asked;
    setText(this.rematch, asked ? 'Rematch asked…' : 'Rematch');
    show(this.back, over || !seat);
    this.tick();
  }

  /** Redraws the turn clock of the player to move (called a few times a second). */
  tick(): void {
    const g = this.game;
    for (const mark of ['X', 'O'] as const) {
      const c = this.cards[mark].clock;
      const running = !!g && g.status === 'playing' && g.turn === mark && g.deadline !== null;
      show(c, running);
      if (!running) continue;
      const left = g.deadline! - (Date.now() + this.clockOffset());
      setText(c, clockText(left));
      toggleClass(c, 'low', left < 10_000);
    }
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
