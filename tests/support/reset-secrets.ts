// A reset token is 43 base64url characters and may begin or end with '-' or '_', where `\b` does not hold
// (about one token in sixteen): bound it by characters base64url cannot contain instead.
const TOKEN = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;
const CODE = /\b\d{6}\b/g;

export function resetTokensIn(text: string): string[] {
  return [...text.matchAll(TOKEN)].map((m) => m[0]);
}

export function resetTokenIn(text: string): string {
  const token = resetTokensIn(text)[0];
  if (!token) throw new Error(`no reset token in ${text}`);
  return token;
}

export function resetCodeIn(text: string): string {
  const code = [...text.matchAll(CODE)][0]?.[0];
  if (!code) throw new Error(`no reset code in ${text}`);
  return code;
}

/** Every reset token and code a message carries. */
export function resetSecretsIn(text: string): string[] {
  return [...resetTokensIn(text), ...[...text.matchAll(CODE)].map((m) => m[0])];
}
