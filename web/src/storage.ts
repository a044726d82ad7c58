// What the page remembers across reloads: the session token and the player's chosen name.
// localStorage may be missing or full (private modes); then the page just forgets.

export interface Memory {
  get(key: 'token' | 'name'): string;
  set(key: 'token' | 'name', value: string): void;
}

export function browserMemory(prefix = 'trine.'): Memory {
  return {
    get(key) {
      try { return localStorage.getItem(prefix + key) ?? ''; } catch { return ''; }
    },
    set(key, value) {
      try { localStorage.setItem(prefix + key, value); } catch { /* storage unavailable: nothing to keep */ }
    },
  };
}
