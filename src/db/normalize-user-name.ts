// The one spelling of a user name the database compares: sign-in and the unique key ignore case, Turkish dotted/dotless i included.
/**
 * NFKC, then Unicode default lower-casing (locale-independent: the same result on every server), then
 * every Turkish i folded to a plain `i`: `I`, `i`, `İ` (U+0130, which lower-cases to `i` + U+0307) and
 * `ı` (U+0131) are one letter here. Chosen so that `ILKER`, `İlker`, `ilker` and `ılker` are the same
 * user whichever keyboard (Turkish or not) the operator types on, and so that two look-alike accounts
 * cannot exist; the price is that names differing only in the dot over an i cannot coexist.
 * Other letters keep their identity (`ş` ≠ `s`, `ö` ≠ `o`).
 */
export function normalizeUserName(userName: string): string {
  return userName.normalize('NFKC').toLowerCase().replaceAll('i\u0307', 'i').replaceAll('\u0131', 'i');
}
