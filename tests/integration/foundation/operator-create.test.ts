// `npm run operator:create` through its compiled entry: refusals are clear, success stores a PBKDF2 hash.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const script = path.resolve('dist/scripts/operator-create.js');
let dataDir: string;

function run(args: string[], password = 'a-long-and-unusual-passphrase-42') {
  const result = spawnSync(process.execPath, [script, ...args, '--password-stdin'], {
    input: `${password}\n`,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      LOCAL_DATA_DIR: dataDir,
      Jwt__Key: 'x'.repeat(48),
      Bootstrap__AdminPassword: 'bootstrap-passphrase-for-tests-1',
    },
    cwd: dataDir,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('npm run operator:create', () => {
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'operator-create-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates an operator with a self-describing 600,000-iteration PBKDF2 hash', () => {
    const result = run(['--firm', '1', '--user', 'operator1', '--name', 'Örnek Operatör', '--email', 'op@example.com', '--phone', '905551234567', '--role', 'Agent']);
    expect(result.out).toContain('Created Agent "operator1"');
    expect(result.code).toBe(0);
    const db = new Database(path.join(dataDir, 'inbox.db'), { readonly: true });
    const row = db.prepare("select * from WhatsApp_Operators where UserNameNormalized = 'operator1'").get() as Record<string, unknown>;
    db.close();
    expect(row).toMatchObject({ FirmId: 1, FullName: 'Örnek Operatör', Email: 'op@example.com', Phone: '905551234567', Role: 'Agent' });
    expect(String(row.PasswordHash)).toMatch(/^pbkdf2-sha256\$i=600000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
  });

  it('also bootstrapped the first admin on the empty database', () => {
    const db = new Database(path.join(dataDir, 'inbox.db'), { readonly: true });
    const admin = db.prepare("select Role from WhatsApp_Operators where UserNameNormalized = 'admin'").get() as { Role: string } | undefined;
    db.close();
    expect(admin?.Role).toBe('Admin');
  });

  it.each([
    ['an unknown role', ['--firm', '1', '--user', 'op2', '--name', 'X', '--role', 'Owner'], /--role must be Admin or Agent/],
    ['a malformed e-mail', ['--firm', '1', '--user', 'op3', '--name', 'X', '--email', 'not-an-email'], /email: must be an e-mail address/],
    ['a malformed phone', ['--firm', '1', '--user', 'op4', '--name', 'X', '--phone', '+90 555'], /phone: must be 10–15 digits/],
    ['a missing user', ['--firm', '1', '--name', 'X'], /missing --user/],
    ['a non-numeric firm', ['--firm', 'one', '--user', 'op5', '--name', 'X'], /--firm must be a positive whole number/],
    ['a duplicate user name, case-insensitively', ['--firm', '1', '--user', 'OPERATOR1', '--name', 'X'], /user name is (already )?taken/],
  ])('refuses %s with a clear message and a non-zero exit', (_label, args, message) => {
    const result = run(args);
    expect(result.out).toMatch(message);
    expect(result.code).not.toBe(0);
    expect(result.out).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('refuses a password that breaks the policy, naming the rules', () => {
    const result = run(['--firm', '1', '--user', 'op6', '--name', 'X'], 'op6');
    expect(result.code).not.toBe(0);
    expect(result.out).toMatch(/at least 12 characters/);
  });
});
