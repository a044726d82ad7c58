// The page's entry point: reads the URL (?code=CODE joins, ?watch=GAMEID spectates), builds the
// views, and wires the connection, the app state and the views together.
import { ProtocolClient } from '../../shared/client/client.js';
import { GatewayDirectory, homeGateway } from '../../shared/client/gateways.js';
import { browserSocket, randomId } from '../../shared/client/seams.js';
import { App, type Intent, type Model } from './app.js';
import { browserMemory } from './storage.js';
import { el } from './view/dom.js';
import { GameView } from './view/game.js';
import { LobbyView } from './view/lobby.js';
import { ShellView } from './view/shell.js';

function intentFromUrl(search: string): Intent {
  const q = new URLSearchParams(search);
  const clean = (v: string | null) => (v && /^[A-Za-z0-9_-]{1,64}$/.test(v.trim()) ? v.trim() : undefined);
  return { code: clean(q.get('code')), watch: clean(q.get('watch')) };
}

function main(): void {
  const root = document.getElementById('app');
  if (!root) return;
  const memory = browserMemory();
  const dir = new GatewayDirectory([homeGateway(location.origin)], (...a) => fetch(...a));
  const views: { render(m: Model): void }[] = [];
  let app: App | null = null;
  const conn = new ProtocolClient({
    gateways: dir,
    openSocket: browserSocket,
    handlers: {
      hello: () => app!.helloFields(),
      welcome: (w) => app!.onWelcome(w),
      push: (msg) => app!.onMessage(msg),
      phase: (s) => app!.onConnState(s),
    },
  });
  app = new App({
    conn, memory,
    render: (m) => { for (const v of views) v.render(m); },
    setUrl: (query) => {
      const url = `${location.pathname}${query}`;
      if (url !== `${location.pathname}${location.search}`) history.replaceState(null, '', url);
    },
    randomId,
  }, intentFromUrl(location.search));
  if (new URLSearchParams(location.search).has('code')) history.replaceState(null, '', location.pathname);

  const shell = new ShellView(app);
  const lobby = new LobbyView(app, memory.get('name'));
  const game = new GameView(app, location.origin, () => dir.clockOffsetMs);
  views.push({ render: (m) => { shell.update(m); lobby.update(m); game.update(m); } });
  root.replaceChildren(shell.status, shell.notice, lobby.root, game.root);
  root.before(shell.header);
  root.after(el('footer', { class: 'foot' }, 'Every gateway can serve every game: if yours goes down, the page moves to another and the game goes on.'));
  setInterval(() => game.tick(), 250);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) conn.checkNow(); });
  window.addEventListener('online', () => conn.checkNow());

  views[0].render(app.model);
  conn.start();
}

main();
