// One cluster per folder: `npm start` holds a lock file in its run folder naming its pid. A second
// one finds it and says which process holds the folder; a lock whose process is gone (a launcher
// killed with SIGKILL, a machine restart) is stale and taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class LockHeld extends Error {
  constructor(readonly pid: number, readonly file: string) {
    super(`another \`npm start\` (pid ${pid}) already runs the cluster of this folder: stop it first (Ctrl-C in its terminal, or kill ${pid}).`);
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface FolderLock { file: string; release(): void }

/** Takes `dir`/launcher.lock for `pid` or throws LockHeld naming the live process that holds it. */
export function lockFolder(dir: string, pid = process.pid): FolderLock {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'launcher.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${pid}\n`, { flag: 'wx' }); // created only if absent: two starters cannot both win
      return { file, release: () => { if (holder(file) === pid) rmSync(file, { force: true }); } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const held = holder(file);
    if (held !== null && held !== pid && processAlive(held)) throw new LockHeld(held, file);
    rmSync(file, { force: true }); // stale: its process is gone (or the file is unreadable)
  }
  throw new Error(`could not take the lock ${file}`);
}

function holder(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
