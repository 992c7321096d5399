// The bundled blocklist of common passwords (49,233 entries, most frequent first), looked up case-insensitively.
// Data: @zxcvbn-ts/language-common 4.1.3 `src/passwords.json`, MIT licence (see common-passwords.NOTICE.md).
import list from './common-passwords.json';

let blocked: ReadonlySet<string> | undefined;

/** True when the whole password, lower-cased, is on the bundled list of common passwords. */
export function isCommonPassword(password: string): boolean {
  blocked ??= new Set(list);
  return blocked.has(password.toLowerCase());
}

/** How many passwords the blocklist holds (reported by tests and the bench). */
export const commonPasswordCount: number = list.length;
