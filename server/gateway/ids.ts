// Random ids the gateway makes: connections, players, games, invite codes, its own instance. One
// seam (Ids) so that a test can build a gateway with predictable ones.
import { customAlphabet } from 'nanoid';

/** Letters and digits without look-alikes (no l, no O, no I): ids people may read out. */
const ID_ALPHABET = '0123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
/** Invite codes: capitals and digits without look-alikes (no 0/O, 1/I/L). */
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const CODE_LENGTH = 6;

export interface Ids {
  /** A random id of `size` characters (connections 10, players 16, guest-name suffixes 4). */
  newId(size: number): string;
  newGameId(): string;
  newCode(): string;
  /** The suffix that makes a gateway process's instance id unique across its restarts. */
  newInstanceSuffix(): string;
}

export function randomIds(): Ids {
  const id = customAlphabet(ID_ALPHABET, 16);
  const code = customAlphabet(CODE_ALPHABET, CODE_LENGTH);
  return {
    newId: (size) => id(size),
    newGameId: () => id(12),
    newCode: () => code(),
    newInstanceSuffix: () => id(6),
  };
}
