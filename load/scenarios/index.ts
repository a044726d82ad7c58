// The scenarios by name, and how many sockets each opens.
import type { LoadReport } from '../stats.js';
import type { ScenarioOptions } from './common.js';
import { runIdle } from './idle.js';
import { botsPerGame, runPlay } from './play.js';
import { runWatch } from './watch.js';

export const SCENARIOS = ['play', 'private', 'computer', 'watch', 'idle'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export function runScenario(name: ScenarioName, o: ScenarioOptions): Promise<LoadReport> {
  switch (name) {
    case 'play': return runPlay(o, 'queue');
    case 'private': return runPlay(o, 'private');
    case 'computer': return runPlay(o, 'computer');
    case 'watch': return runWatch(o);
    case 'idle': return runIdle(o);
  }
}

export function socketsOf(name: ScenarioName, o: Pick<ScenarioOptions, 'games' | 'spectators' | 'connections' | 'variant'>): number {
  if (name === 'watch') return o.spectators + 2;
  if (name === 'idle') return o.connections;
  return o.games * botsPerGame(o, name === 'computer' ? 'computer' : 'queue');
}
