// The first-run admin: created once, with the reset addresses from settings, and a warning when it has none.
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrapFirstRun } from '../../../src/bootstrap';
import { loadConfig } from '../../../src/config';
import { systemClock } from '../../../src/shared/clock';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.cleanup();
  database = undefined;
});

async function bootstrapWith(settings: Record<string, string>): Promise<{ lines: string[]; admin: { Email: string | null; Phone: string | null; Role: string } }> {
  database = await createTestDatabase();
  const config = loadConfig({ Jwt__Key: 'k'.repeat(48), LOCAL_DATA_DIR: '/tmp/ustad-bootstrap-test', ...settings });
  const lines: string[] = [];
  await bootstrapFirstRun({ db: database.db, clock: systemClock, config, print: (line) => lines.push(line) });
  // A second start (or a second instance) creates nothing more.
  await bootstrapFirstRun({ db: database.db, clock: systemClock, config, print: (line) => lines.push(line) });
  const admins = await database.db.selectFrom('WhatsApp_Operators').select(['Email', 'Phone', 'Role']).execute();
  expect(admins).toHaveLength(1);
  return { lines, admin: admins[0]! };
}

describe('bootstrap admin', () => {
  it('takes Bootstrap__AdminEmail and Bootstrap__AdminPhone, so a lost one-time password can be reset', async () => {
    const { lines, admin } = await bootstrapWith({ Bootstrap__AdminEmail: 'Mudur@Okul.example', Bootstrap__AdminPhone: '905551112233' });
    expect(admin).toEqual({ Email: 'Mudur@Okul.example', Phone: '905551112233', Role: 'Admin' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/one-time password/);
    const audit = await database!.db.selectFrom('WhatsApp_AuditLogs').select(['Action', 'DetailsJson']).where('Action', '=', 'user_created').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.DetailsJson ?? '{}')).toMatchObject({ via: 'bootstrap', role: 'Admin' });
  });

  it('warns, once, when the first admin has no way to receive a reset', async () => {
    const { lines, admin } = await bootstrapWith({});
    expect(admin).toEqual({ Email: null, Phone: null, Role: 'Admin' });
    expect(lines.filter((line) => /cannot reset a lost password: set Bootstrap__AdminEmail/.test(line))).toHaveLength(1);
  });
});
