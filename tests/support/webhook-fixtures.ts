// Builders for webhook tests: firms with numbers, outbound messages awaiting statuses, and webhook bodies.
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/tables';
import { newId } from '../../src/shared/ids';

/** Creates a firm (if missing) owning the given Meta phone number ids. */
export async function seedFirm(db: Kysely<Database>, firmId: number, phoneNumberIds: readonly string[], extra: { businessAccountId?: string } = {}): Promise<void> {
  const now = new Date();
  const exists = await db.selectFrom('WhatsApp_FirmSettings').select('FirmId').where('FirmId', '=', firmId).executeTakeFirst();
  if (!exists) {
    await db
      .insertInto('WhatsApp_FirmSettings')
      .values({ FirmId: firmId, DisplayName: `Firm ${firmId}`, BusinessAccountId: extra.businessAccountId ?? null, CreatedAt: now, UpdatedAt: now })
      .execute();
  }
  for (const phoneNumberId of phoneNumberIds) {
    await db
      .insertInto('WhatsApp_PhoneNumbers')
      .values({ Id: newId(), FirmId: firmId, PhoneNumberId: phoneNumberId, BusinessAccountId: extra.businessAccountId ?? null, CreatedAt: now, UpdatedAt: now })
      .execute();
  }
}

/** An outbound message already accepted by Meta (it has its wamid), in a conversation with a new customer. */
export async function seedOutboundMessage(
  db: Kysely<Database>,
  input: { firmId: number; phoneNumberId: string; waId: string; whatsAppMessageId: string | null; status?: string; statusRank?: number; bizOpaqueCallbackData?: string; id?: string },
): Promise<{ messageId: string; conversationId: string }> {
  const now = new Date();
  let customer = await db.selectFrom('WhatsApp_Customers').select('Id').where('FirmId', '=', input.firmId).where('WaId', '=', input.waId).executeTakeFirst();
  if (!customer) {
    customer = { Id: newId() };
    await db.insertInto('WhatsApp_Customers').values({ Id: customer.Id, FirmId: input.firmId, WaId: input.waId, CreatedAt: now, UpdatedAt: now }).execute();
  }
  let conversation = await db
    .selectFrom('WhatsApp_Conversations')
    .select('Id')
    .where('FirmId', '=', input.firmId)
    .where('PhoneNumberId', '=', input.phoneNumberId)
    .where('CustomerId', '=', customer.Id)
    .executeTakeFirst();
  if (!conversation) {
    conversation = { Id: newId() };
    await db
      .insertInto('WhatsApp_Conversations')
      .values({ Id: conversation.Id, FirmId: input.firmId, PhoneNumberId: input.phoneNumberId, CustomerId: customer.Id, LastMessageAt: now, CreatedAt: now, UpdatedAt: now })
      .execute();
  }
  const messageId = input.id ?? newId();
  await db
    .insertInto('WhatsApp_Messages')
    .values({
      Id: messageId,
      FirmId: input.firmId,
      ConversationId: conversation.Id,
      Direction: 'outbound',
      Type: 'text',
      Status: input.status ?? 'sent',
      StatusRank: input.statusRank ?? 10,
      MessageAt: now,
      Text: 'Merhaba',
      WhatsAppMessageId: input.whatsAppMessageId,
      BizOpaqueCallbackData: input.bizOpaqueCallbackData ?? null,
      CreatedAt: now,
      UpdatedAt: now,
    })
    .execute();
  return { messageId, conversationId: conversation.Id };
}

/** A `messages` change value with the given messages/statuses, for one business number. */
export function messagesBody(phoneNumberId: string, value: { contacts?: unknown[]; messages?: unknown[]; statuses?: unknown[] }): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId }, ...value } }],
      },
    ],
  });
}

/** An inbound text message object as Meta sends it. */
export function textMessage(id: string, from: string, body: string, timestamp: number): Record<string, unknown> {
  return { from, id, timestamp: String(timestamp), type: 'text', text: { body } };
}

/** A status object as Meta sends it. */
export function statusObject(id: string, status: string, timestamp: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, status, timestamp: String(timestamp), recipient_id: '16505551234', ...extra };
}
