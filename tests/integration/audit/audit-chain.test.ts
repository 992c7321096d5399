// The audit log: SECURITY.md §9 A4 (tamper evidence, through `npm run audit:verify`'s script) and A3 (log injection).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_FIRM, recordAudit } from '../../../src/audit/record-audit';
import { verifyAuditLog } from '../../../src/audit/verify-audit-log';
import { signIn } from '../../../src/auth/sign-in';
import { addFirm, addOperator, auditRows, createAuthTestServices, freshOrigin, type AuthTestServices } from '../../support/auth-test-services';

const run = promisify(execFile);
const script = path.resolve(__dirname, '..', '..', '..', 'dist', 'scripts', 'audit-verify.js');
let t: AuthTestServices;

beforeAll(async () => {
  t = await createAuthTestServices();
  await addFirm(t.services, 2);
  await addOperator(t.services, { firmId: 2, userName: 'second.firm', password: 'second firm passphrase' });
  for (let i = 0; i < 4; i += 1) {
    await signIn(t.services, { userName: 'admin', password: t.adminPassword, origin: freshOrigin() });
    await signIn(t.services, { userName: 'second.firm', password: 'second firm passphrase', origin: freshOrigin() });
    await signIn(t.services, { userName: 'admin', password: 'wrong one', origin: freshOrigin() }).catch(() => undefined);
  }
}, 60_000);

afterAll(async () => {
  await t.cleanup();
});

/** Runs the compiled `npm run audit:verify` against the test database. */
async function auditVerifyScript(): Promise<{ code: number; output: string }> {
  if (!existsSync(script)) throw new Error(`${script} is missing: run "npm run build" first`);
  const env = { ...process.env, LOCAL_DATA_DIR: t.dataDir, Jwt__Key: t.services.config.jwt.key, Database__SqlitePath: path.join(t.dataDir, 'inbox.db') };
  try {
    const { stdout } = await run(process.execPath, [script], { env, cwd: t.dataDir });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, output: failed.stdout };
  }
}

describe('A4 tamper evidence', () => {
  it('keeps one contiguous chain per firm, also under concurrent writers', async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => recordAudit(t.services.db, { firmId: 2, action: 'test.concurrent', details: { i } }, t.clock.now())));
    const rows = await auditRows(t.services, 2);
    expect(rows.map((r) => r.Sequence)).toEqual(rows.map((_, i) => i + 1));
    const clean = await verifyAuditLog(t.services.db, t.services.dialect);
    expect(clean.problems).toEqual([]);
    expect(clean.firms.map((f) => f.firmId)).toEqual([1, 2]);
    const script = await auditVerifyScript();
    expect(script.code).toBe(0);
    expect(script.output).toContain('2 firm chain(s) intact');
  });

  it('names exactly the firm and sequence of a modified, a deleted and a reordered row', async () => {
    const db = t.services.db;
    const rows = await auditRows(t.services, 1);
    expect(rows.length).toBeGreaterThan(8);
    let detected = 0;

    const edited = rows[3];
    if (!edited) throw new Error('need rows');
    await db.updateTable('WhatsApp_AuditLogs').set({ IpAddress: '203.0.113.66' }).where('Id', '=', edited.Id).execute();
    const afterEdit = await auditVerifyScript();
    expect(afterEdit.code).toBe(1);
    expect(afterEdit.output).toContain(`TAMPERED firm 1 sequence ${edited.Sequence}: hash-mismatch`);
    expect(afterEdit.output.match(/TAMPERED/g)).toHaveLength(1);
    detected += 1;
    await db.updateTable('WhatsApp_AuditLogs').set({ IpAddress: edited.IpAddress }).where('Id', '=', edited.Id).execute();

    const deleted = rows[5];
    if (!deleted) throw new Error('need rows');
    await db.deleteFrom('WhatsApp_AuditLogs').where('Id', '=', deleted.Id).execute();
    const afterDelete = await verifyAuditLog(db, t.services.dialect);
    expect(afterDelete.problems).toEqual([{ firmId: 1, sequence: deleted.Sequence, kind: 'missing' }]);
    detected += 1;
    await db.insertInto('WhatsApp_AuditLogs').values(deleted).execute();

    const [x, y] = [rows[6], rows[7]];
    if (!x || !y) throw new Error('need rows');
    await db.updateTable('WhatsApp_AuditLogs').set({ Sequence: -1 }).where('Id', '=', x.Id).execute();
    await db.updateTable('WhatsApp_AuditLogs').set({ Sequence: x.Sequence }).where('Id', '=', y.Id).execute();
    await db.updateTable('WhatsApp_AuditLogs').set({ Sequence: y.Sequence }).where('Id', '=', x.Id).execute();
    const afterSwap = await verifyAuditLog(db, t.services.dialect);
    expect(afterSwap.problems.map((p) => `${p.firmId}:${p.sequence}`)).toEqual([`1:${x.Sequence}`, `1:${y.Sequence}`]);
    detected += 1;

    const firm2 = (await verifyAuditLog(db, t.services.dialect)).problems.filter((p) => p.firmId === 2);
    expect(firm2).toEqual([]);
    console.log(`A4: ${detected}/3 detected (modify → firm 1 seq ${edited.Sequence}, delete → seq ${deleted.Sequence}, reorder → seq ${x.Sequence} and ${y.Sequence}); other firm's chain intact`);
  });
});

describe('A3 log injection', () => {
  it('keeps CR/LF/ANSI out of stored fields and caps their length', async () => {
    const hostile = `evil\r\n2026-01-01 INFO admin logged in\u001b[31m${'x'.repeat(100 * 1024)}`;
    await signIn(t.services, { userName: hostile.slice(0, 200), password: 'whatever', origin: { ip: '198.51.100.9', userAgent: hostile } }).catch(() => undefined);
    await recordAudit(t.services.db, { firmId: NO_FIRM, action: 'test.injection', details: { note: hostile, nested: { deeper: hostile }, password: 'never-stored-secret' }, origin: { ip: '198.51.100.9', userAgent: hostile } }, t.clock.now());
    const rows = (await auditRows(t.services, NO_FIRM)).filter((r) => r.IpAddress === '198.51.100.9');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const text = JSON.stringify(row);
      expect(/[\r\n\u001b]/.test(`${row.UserAgent}${row.DetailsJson}${row.ActorUserName ?? ''}`)).toBe(false);
      expect(row.UserAgent?.length).toBeLessThanOrEqual(512);
      expect(row.DetailsJson?.length ?? 0).toBeLessThanOrEqual(8192);
      expect(text).not.toContain('never-stored-secret');
    }
    const verification = await verifyAuditLog(t.services.db, t.services.dialect);
    expect(verification.problems.filter((p) => p.firmId === NO_FIRM)).toEqual([]);
    console.log('A3: pass (CR, LF and ESC replaced, user agent ≤ 512 and details ≤ 8 KiB, secret-named keys dropped, chain still verifies)');
  });
});
