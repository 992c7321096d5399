// First run: the default firm and its WhatsApp number from settings, and the first admin when no operator exists.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from './config';
import type { Database } from './db/tables';
import { createOperator } from './admin/create-operator';
import type { Clock } from './shared/clock';
import { newId } from './shared/ids';
import { isUniqueViolation } from './db/unique-violation';

export interface BootstrapDeps {
  db: Kysely<Database>;
  clock: Clock;
  config: Config;
  /** Where the one-time admin password is printed; the log by default. */
  print?: (line: string) => void;
}

/** Idempotent: safe on every start and from several instances at once. */
export async function bootstrapFirstRun(deps: BootstrapDeps): Promise<void> {
  const { db, clock, config } = deps;
  const firmId = config.bootstrap.firmId;
  const now = clock.now();
  await insertIgnoringDuplicate(() =>
    db.insertInto('WhatsApp_FirmSettings').values({ FirmId: firmId, DisplayName: `Firm ${firmId}`, BusinessAccountId: config.whatsApp.businessAccountId ?? null, CreatedAt: now, UpdatedAt: now }).execute(),
  );
  const phoneNumberId = config.whatsApp.phoneNumberId;
  if (phoneNumberId) {
    await insertIgnoringDuplicate(() =>
      db
        .insertInto('WhatsApp_PhoneNumbers')
        .values({ Id: newId(), FirmId: firmId, PhoneNumberId: phoneNumberId, BusinessAccountId: config.whatsApp.businessAccountId ?? null, CreatedAt: now, UpdatedAt: now })
        .execute(),
    );
  }
  const operators = await db.selectFrom('WhatsApp_Operators').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  if (Number(operators.count) > 0) return;
  const generated = config.bootstrap.adminPassword === undefined;
  const password = config.bootstrap.adminPassword ?? randomBytes(18).toString('base64url');
  try {
    await createOperator(
      deps,
      { firmId, userName: config.bootstrap.adminUserName, fullName: 'Administrator', role: 'Admin', password, email: config.bootstrap.adminEmail, phone: config.bootstrap.adminPhone },
      { via: 'bootstrap' },
    );
  } catch (error) {
    // Another instance bootstrapped at the same moment: its admin stands.
    const again = await db.selectFrom('WhatsApp_Operators').select('Id').executeTakeFirst();
    if (again) return;
    throw error;
  }
  const print = deps.print ?? console.log;
  print(
    generated
      ? `Created the first admin "${config.bootstrap.adminUserName}" in firm ${firmId} with the one-time password ${password} (shown only now; change it after signing in).`
      : `Created the first admin "${config.bootstrap.adminUserName}" in firm ${firmId} with the password from Bootstrap__AdminPassword.`,
  );
  if (!config.bootstrap.adminEmail && !config.bootstrap.adminPhone) {
    print('The first admin has no e-mail address or phone, so it cannot reset a lost password: set Bootstrap__AdminEmail (or add one after signing in).');
  }
}

/** Runs an insert and treats "the row is already there" as success. */
async function insertIgnoringDuplicate(insert: () => Promise<unknown>): Promise<void> {
  try {
    await insert();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}
