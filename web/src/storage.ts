// What the page remembers across reloads: the session token, the player's chosen name and the
// variant last picked in the lobby.
// localStorage may be missing or full (private modes); then the page just forgets.

/** `variant` is stored as variantName writes it (e.g. 15x15k5p2). */
export type MemoryKey = 'token' | 'name' | 'variant';

export interface Memory {
  get(key: MemoryKey): string;
  set(key: MemoryKey, value: string): void;
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
