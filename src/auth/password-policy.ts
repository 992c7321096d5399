// Password policy (settings-driven): length in code points, bundled blocklist, no user name, optional complexity.
import { AppError } from '../shared/app-error';
import { isCommonPassword } from './common-passwords';

/** The longest password accepted, in code points: above NIST's 64 and a cap against long-input hashing cost. */
export const PASSWORD_MAX_LENGTH = 128;
/** User names shorter than this are not searched for inside passwords (every password would contain "a"). */
const MIN_USER_NAME_TO_MATCH = 3;
/** Half of a surrogate pair on its own: not a character, and UTF-8 encoding would silently replace it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type PasswordRule =
  | 'TooShort'
  | 'TooLong'
  | 'NotWellFormed'
  | 'Common'
  | 'ContainsUserName'
  | 'MissingUppercase'
  | 'MissingLowercase'
  | 'MissingDigit'
  | 'MissingSymbol';

export interface PasswordPolicySettings {
  readonly passwordMinLength: number;
  readonly passwordRequireComplexity: boolean;
}

/** Every rule the password breaks, in a stable order; empty when it is acceptable. */
export function passwordPolicyViolations(password: string, userName: string | undefined, settings: PasswordPolicySettings): PasswordRule[] {
  const broken: PasswordRule[] = [];
  const length = [...password].length;
  if (length < settings.passwordMinLength) broken.push('TooShort');
  if (length > PASSWORD_MAX_LENGTH) broken.push('TooLong');
  if (LONE_SURROGATE.test(password)) broken.push('NotWellFormed');
  if (isCommonPassword(password)) broken.push('Common');
  const name = userName?.trim().toLowerCase() ?? '';
  if (name.length >= MIN_USER_NAME_TO_MATCH && password.toLowerCase().includes(name)) broken.push('ContainsUserName');
  if (settings.passwordRequireComplexity) {
    if (!/\p{Lu}/u.test(password)) broken.push('MissingUppercase');
    if (!/\p{Ll}/u.test(password)) broken.push('MissingLowercase');
    if (!/\p{Nd}/u.test(password)) broken.push('MissingDigit');
    if (!/[^\p{L}\p{N}\s]/u.test(password)) broken.push('MissingSymbol');
  }
  return broken;
}

/**
 * Throws `PasswordPolicyViolation` naming every broken rule (in `extra.rules` and in the message), or returns.
 * Used by the API and by `npm run operator:create`.
 */
export function assertPasswordPolicy(password: string, userName: string | undefined, settings: PasswordPolicySettings): void {
  const rules = passwordPolicyViolations(password, userName, settings);
  if (rules.length === 0) return;
  const tr = rules.map((rule) => describeRule(rule, settings).tr).join(' ');
  const en = rules.map((rule) => describeRule(rule, settings).en).join(' ');
  throw new AppError('PasswordPolicyViolation', { tr: `Parola kurallara uymuyor: ${tr}`, en: `The password breaks the policy: ${en}` }, { rules });
}

function describeRule(rule: PasswordRule, settings: PasswordPolicySettings): { tr: string; en: string } {
  switch (rule) {
    case 'TooShort':
      return { tr: `En az ${settings.passwordMinLength} karakter olmalı.`, en: `It must have at least ${settings.passwordMinLength} characters.` };
    case 'TooLong':
      return { tr: `En fazla ${PASSWORD_MAX_LENGTH} karakter olabilir.`, en: `It may have at most ${PASSWORD_MAX_LENGTH} characters.` };
    case 'NotWellFormed':
      return { tr: 'Geçersiz Unicode karakterler içeriyor.', en: 'It contains invalid Unicode characters.' };
    case 'Common':
      return { tr: 'Çok yaygın kullanılan bir parola.', en: 'It is a commonly used password.' };
    case 'ContainsUserName':
      return { tr: 'Kullanıcı adını içermemeli.', en: 'It must not contain the user name.' };
    case 'MissingUppercase':
      return { tr: 'En az bir büyük harf içermeli.', en: 'It must contain an upper-case letter.' };
    case 'MissingLowercase':
      return { tr: 'En az bir küçük harf içermeli.', en: 'It must contain a lower-case letter.' };
    case 'MissingDigit':
      return { tr: 'En az bir rakam içermeli.', en: 'It must contain a digit.' };
    case 'MissingSymbol':
      return { tr: 'En az bir sembol içermeli.', en: 'It must contain a symbol.' };
  }
}
