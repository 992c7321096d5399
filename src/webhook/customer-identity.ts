// Finds or creates the customer behind an inbound message, robust to the 2026 username change (BSUIDs, empty wa_id).
import type { Kysely } from 'kysely';
import type { Database, CustomerRow } from '../db/tables';
import { newId } from '../shared/ids';
import { isUniqueViolation } from '../db/unique-violation';
import { preparedQuery } from '../db/prepared-query';
import type { WebhookContact } from './webhook-payload.schemas';

/** Who wrote, as far as one webhook tells: a phone number, a business-scoped user id, or both. */
export interface CustomerIdentity {
  readonly waId: string | undefined;
  readonly userId: string | undefined;
  readonly parentUserId?: string | undefined;
  readonly profileName?: string | undefined;
  readonly username?: string | undefined;
  readonly countryCode?: string | undefined;
  readonly identityKeyHash?: string | undefined;
}

const nonEmpty = (value: string | null | undefined): string | undefined => (value === null || value === undefined || value === '' ? undefined : value);

/**
 * The sender of a message: `from` / `from_user_id` of the message, completed from the `contacts[]` entry that
 * matches it (by phone or BSUID, or the only entry when there is one). Undefined when nothing identifies them.
 */
export function identityOf(message: { fromWaId: string | undefined; fromUserId: string | undefined }, contacts: readonly WebhookContact[]): CustomerIdentity | undefined {
  const contact =
    contacts.find((c) => (message.fromUserId && c.user_id === message.fromUserId) || (message.fromWaId && c.wa_id === message.fromWaId)) ??
    (contacts.length === 1 ? contacts[0] : undefined);
  const waId = message.fromWaId ?? nonEmpty(contact?.wa_id);
  const userId = message.fromUserId ?? nonEmpty(contact?.user_id);
  if (!waId && !userId) return undefined;
  return {
    waId,
    userId,
    parentUserId: nonEmpty(contact?.parent_user_id),
    profileName: nonEmpty(contact?.profile?.name),
    username: nonEmpty(contact?.profile?.username),
    countryCode: nonEmpty(contact?.profile?.country_code),
    identityKeyHash: nonEmpty(contact?.identity_key_hash),
  };
}

type CustomerKeys = Pick<CustomerRow, 'Id' | 'WaId' | 'Bsuid' | 'ProfileName' | 'Username' | 'CountryCode' | 'ParentBsuid' | 'IdentityKeyHash'>;
const keyColumns = ['Id', 'WaId', 'Bsuid', 'ProfileName', 'Username', 'CountryCode', 'ParentBsuid', 'IdentityKeyHash'] as const;

const customerByBsuid = preparedQuery<{ firmId: number; bsuid: string }, CustomerKeys>((db, p) =>
  db.selectFrom('WhatsApp_Customers').select(keyColumns).where('FirmId', '=', p.firmId).where('Bsuid', '=', p.bsuid),
);
const customerByWaId = preparedQuery<{ firmId: number; waId: string }, CustomerKeys>((db, p) =>
  db.selectFrom('WhatsApp_Customers').select(keyColumns).where('FirmId', '=', p.firmId).where('WaId', '=', p.waId),
);

async function byBsuid(db: Kysely<Database>, firmId: number, bsuid: string): Promise<CustomerKeys | undefined> {
  return (await customerByBsuid(db, { firmId, bsuid }))[0];
}

async function byWaId(db: Kysely<Database>, firmId: number, waId: string): Promise<CustomerKeys | undefined> {
  return (await customerByWaId(db, { firmId, waId }))[0];
}

/**
 * The customer id for an identity, creating the customer when new. Rules (WHATSAPP.md §12: key by BSUID,
 * phone as secondary):
 * - a known BSUID wins; a phone seen with it is attached (taken from an older row only if that row belongs
 *   to another BSUID: the number was given to someone else);
 * - a known phone without a BSUID gains the BSUID (the same person, first seen before usernames);
 * - a known phone already tied to a different BSUID is a different person (recycled number): the old row
 *   keeps its history but lets go of the number, and a new customer is created;
 * - profile fields are refreshed when Meta sends them.
 * Concurrent first messages from one new customer race on the unique keys; the loser re-reads.
 */
export async function resolveCustomer(db: Kysely<Database>, firmId: number, identity: CustomerIdentity, now: Date): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await resolveOnce(db, firmId, identity, now);
    } catch (error) {
      if (attempt < 2 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

async function resolveOnce(db: Kysely<Database>, firmId: number, identity: CustomerIdentity, now: Date): Promise<string> {
  const { waId, userId } = identity;
  const withBsuid = userId ? await byBsuid(db, firmId, userId) : undefined;
  const withPhone = waId ? await byWaId(db, firmId, waId) : undefined;

  let customer: CustomerKeys | undefined;
  if (withBsuid) {
    customer = withBsuid;
    if (waId && withBsuid.WaId !== waId) {
      if (withPhone && withPhone.Id !== withBsuid.Id) {
        // The number sits on another row. Only a row owned by another BSUID gives it up; a phone-only row may be
        // this same person before usernames, and merging two histories is an operator's decision, not ours.
        if (withPhone.Bsuid !== null) {
          await releasePhone(db, withPhone.Id, now);
          await setKeys(db, withBsuid.Id, { WaId: waId }, now);
        }
      } else {
        await setKeys(db, withBsuid.Id, { WaId: waId }, now);
      }
    }
  } else if (withPhone) {
    if (userId && withPhone.Bsuid !== null && withPhone.Bsuid !== userId) {
      await releasePhone(db, withPhone.Id, now);
      customer = undefined;
    } else {
      customer = withPhone;
      if (userId && withPhone.Bsuid === null) await setKeys(db, withPhone.Id, { Bsuid: userId }, now);
    }
  }

  if (!customer) {
    const id = newId(now.getTime());
    await db
      .insertInto('WhatsApp_Customers')
      .values({
        Id: id,
        FirmId: firmId,
        WaId: waId ?? null,
        Bsuid: userId ?? null,
        ParentBsuid: identity.parentUserId ?? null,
        Username: identity.username?.slice(0, 100) ?? null,
        ProfileName: identity.profileName?.slice(0, 256) ?? null,
        CountryCode: identity.countryCode?.slice(0, 8) ?? null,
        IdentityKeyHash: identity.identityKeyHash?.slice(0, 128) ?? null,
        CreatedAt: now,
        UpdatedAt: now,
      })
      .execute();
    return id;
  }
  await refreshProfile(db, customer, identity, now);
  return customer.Id;
}

async function setKeys(db: Kysely<Database>, id: string, keys: { WaId?: string; Bsuid?: string }, now: Date): Promise<void> {
  await db.updateTable('WhatsApp_Customers').set({ ...keys, UpdatedAt: now }).where('Id', '=', id).execute();
}

async function releasePhone(db: Kysely<Database>, id: string, now: Date): Promise<void> {
  await db.updateTable('WhatsApp_Customers').set({ WaId: null, UpdatedAt: now }).where('Id', '=', id).execute();
}

/** Writes the profile fields Meta sent that differ from the row (most messages change nothing: no write). */
async function refreshProfile(db: Kysely<Database>, customer: CustomerKeys, identity: CustomerIdentity, now: Date): Promise<void> {
  const wanted = {
    ProfileName: identity.profileName?.slice(0, 256),
    Username: identity.username?.slice(0, 100),
    CountryCode: identity.countryCode?.slice(0, 8),
    ParentBsuid: identity.parentUserId?.slice(0, 256),
    IdentityKeyHash: identity.identityKeyHash?.slice(0, 128),
  };
  const set: Partial<Record<keyof typeof wanted, string>> = {};
  for (const [column, value] of Object.entries(wanted) as [keyof typeof wanted, string | undefined][]) {
    if (value !== undefined && value !== customer[column]) set[column] = value;
  }
  if (Object.keys(set).length === 0) return;
  await db.updateTable('WhatsApp_Customers').set({ ...set, UpdatedAt: now }).where('Id', '=', customer.Id).execute();
}

/**
 * Applies a `system` message's identity change: `user_changed_number` (`customer_changed_number` in older payloads)
 * moves the customer to the new phone, `user_changed_user_id` to the new BSUID. Returns the customer the change
 * belongs to (undefined if unknown).
 */
export async function applyIdentityChange(
  db: Kysely<Database>,
  firmId: number,
  change: { kind: string; oldWaId: string | undefined; newWaId: string | undefined; previousUserId: string | undefined; newUserId: string | undefined },
  now: Date,
): Promise<string | undefined> {
  if ((change.kind === 'user_changed_number' || change.kind === 'customer_changed_number') && change.oldWaId && change.newWaId) {
    const customer = await byWaId(db, firmId, change.oldWaId);
    if (!customer) return undefined;
    if (change.newWaId !== change.oldWaId) {
      const holder = await byWaId(db, firmId, change.newWaId);
      if (holder && holder.Id !== customer.Id) await releasePhone(db, holder.Id, now);
      await setKeys(db, customer.Id, { WaId: change.newWaId }, now);
    }
    return customer.Id;
  }
  if (change.kind === 'user_changed_user_id' && change.previousUserId && change.newUserId) {
    const customer = await byBsuid(db, firmId, change.previousUserId);
    if (!customer) return undefined;
    if (change.newUserId !== change.previousUserId) {
      const holder = await byBsuid(db, firmId, change.newUserId);
      if (holder && holder.Id !== customer.Id) return holder.Id;
      await setKeys(db, customer.Id, { Bsuid: change.newUserId }, now);
    }
    return customer.Id;
  }
  return undefined;
}
