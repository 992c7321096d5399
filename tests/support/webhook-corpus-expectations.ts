// What each corpus webhook must leave in the database, field by field (shared by the use-case and the host tests).
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '../../src/db/tables';

/** The phone number ids the corpus uses; tests give them all to one firm. */
export const CORPUS_PHONE_NUMBER_IDS = ['106540352242922', 'PHONE_NUMBER_ID', '102944729380254'] as const;

const at = (seconds: number) => new Date(seconds * 1000);

/** Everything a webhook can write, read back. */
export async function readWebhookRows(db: Kysely<Database>) {
  const [messages, conversations, customers, pending, events] = await Promise.all([
    db.selectFrom('WhatsApp_Messages').selectAll().orderBy('MessageAt').orderBy('Id').execute(),
    db.selectFrom('WhatsApp_Conversations').selectAll().execute(),
    db.selectFrom('WhatsApp_Customers').selectAll().execute(),
    db.selectFrom('WhatsApp_PendingStatuses').selectAll().execute(),
    db.selectFrom('WhatsApp_WebhookEvents').selectAll().execute(),
  ]);
  return { messages, conversations, customers, pending, events };
}

/** Empties the tables a webhook writes (the corpus reuses message ids across files). */
export async function clearWebhookRows(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom('WhatsApp_PendingStatuses').execute();
  await db.deleteFrom('WhatsApp_WebhookEvents').execute();
  await db.deleteFrom('WhatsApp_Messages').execute();
  await db.deleteFrom('WhatsApp_Conversations').execute();
  await db.deleteFrom('WhatsApp_Customers').execute();
}

type Rows = Awaited<ReturnType<typeof readWebhookRows>>;

/** One inbound message from Sheena (the Meta examples' customer) with these fields; checks customer and conversation. */
function expectOneInbound(rows: Rows, fields: Record<string, unknown>, options: { waId?: string | null; bsuid?: string | null; name?: string | null; preview?: string | null; unread?: number; inboundAt?: Date | null } = {}) {
  expect(rows.messages).toHaveLength(1);
  const [message] = rows.messages;
  expect(message).toMatchObject({ FirmId: 1, Direction: 'inbound', Status: 'received', StatusRank: 0, ...fields });
  expect(rows.customers).toHaveLength(1);
  expect(rows.customers[0]).toMatchObject({
    FirmId: 1,
    WaId: options.waId === undefined ? '16505551234' : options.waId,
    Bsuid: options.bsuid ?? null,
    ...(options.name === undefined ? { ProfileName: 'Sheena Nelson' } : { ProfileName: options.name }),
  });
  expect(rows.conversations).toHaveLength(1);
  const [conversation] = rows.conversations;
  expect(conversation).toMatchObject({
    FirmId: 1,
    CustomerId: rows.customers[0]?.Id,
    Status: 'Open',
    UnreadCount: options.unread ?? 1,
    LastInboundAt: options.inboundAt === undefined ? message?.WhatsAppTimestamp : options.inboundAt,
  });
  if (options.preview !== undefined) expect(conversation?.LastMessagePreview).toBe(options.preview);
  expect(message?.ConversationId).toBe(conversation?.Id);
  expect(JSON.parse(message?.RawJson ?? 'null')).toMatchObject({ id: message?.WhatsAppMessageId });
  return message!;
}

const json = (text: string | null | undefined) => JSON.parse(text ?? 'null') as Record<string, unknown>;

/** Asserts what `name` left behind; `rows` are read right after it was processed into an empty database. */
export function expectCorpusRows(name: string, rows: Rows): void {
  const noMedia = { MediaId: null, MediaState: null };
  switch (name) {
    case 'meta_audio_voice.json': {
      expectOneInbound(
        rows,
        {
          Type: 'audio',
          Text: null,
          MediaId: '1908647269898587',
          MediaState: 'pending',
          MediaMimeType: 'audio/ogg; codecs=opus',
          MediaSha256: 'wvqXMe6n7n1W0zphvLPoLj+s/NtKqmr3zZ7YzTP7xFI=',
          WhatsAppMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
          WhatsAppTimestamp: at(1744344496),
          MessageAt: at(1744344496),
        },
        { preview: '[audio]' },
      );
      expect(json(rows.messages[0]?.ContentJson)).toMatchObject({ audio: { voice: true, id: '1908647269898587' } });
      return;
    }
    case 'meta_button_template_quick_reply.json': {
      const m = expectOneInbound(rows, {
        Type: 'button',
        Text: 'Unsubscribe',
        ReplyToWhatsAppMessageId: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=',
        WhatsAppTimestamp: at(1750091045),
        ...noMedia,
      });
      expect(json(m.ContentJson)).toMatchObject({ button: { payload: 'Unsubscribe', text: 'Unsubscribe' }, context: { from: '15550783881' } });
      return;
    }
    case 'meta_contacts_shared_vcard.json': {
      const m = expectOneInbound(rows, { Type: 'contacts', Text: 'Barbara J. Johnson', ...noMedia });
      expect(json(m.ContentJson)).toMatchObject({
        contacts: [{ name: { first_name: 'Barbara', last_name: 'Johnson' }, org: { company: 'Social Tsunami' }, phones: [{ phone: '+1 (415) 555-0829', wa_id: '14125550829', type: 'MOBILE' }] }],
      });
      return;
    }
    case 'meta_document_filename_caption.json':
      expectOneInbound(
        rows,
        {
          Type: 'document',
          Text: 'my receipt',
          MediaId: '622684793477189',
          MediaState: 'pending',
          MediaMimeType: 'application/pdf',
          MediaFileName: 'receipt.pdf',
          MediaSha256: 'V5OPpLD/gEG6Xjg0MbmQDLFgcKsL+j5LfY4ny/pZ4MY=',
        },
        { preview: '[document] my receipt' },
      );
      return;
    case 'meta_group_text_message.json': {
      const m = expectOneInbound(rows, { Type: 'text', Text: 'What does everyone think about this?', WhatsAppMessageId: 'wamid.HASDI128HJOPUERIH82ahdasd09ASDHi5>' }, { name: 'Tiago Mingo' });
      expect(json(m.RawJson)).toMatchObject({ group_id: 'HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA' });
      return;
    }
    case 'meta_image_caption_with_url.json':
      expectOneInbound(
        rows,
        { Type: 'image', Text: 'Taj Mahal', MediaId: '1003383421387256', MediaState: 'pending', MediaMimeType: 'image/jpeg', MediaSha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=', MediaFileName: null },
        { preview: '[image] Taj Mahal' },
      );
      return;
    case 'meta_interactive_button_reply.json': {
      const m = expectOneInbound(
        rows,
        { Type: 'interactive', Text: 'Change', ReplyToWhatsAppMessageId: 'wamid.HBgLMTY0NjcwNDM1OTUVAgARGBJBM0Y4RUU0RUNFQkFDMjYzQUMA', WhatsAppTimestamp: at(1714510003) },
        { name: 'Pablo Morales' },
      );
      expect(json(m.ContentJson)).toMatchObject({ interactive: { type: 'button_reply', button_reply: { id: 'change-button', title: 'Change' } } });
      return;
    }
    case 'meta_interactive_list_reply.json': {
      const m = expectOneInbound(rows, { Type: 'interactive', Text: 'Priority Mail Express', ReplyToWhatsAppMessageId: 'wamid.HBgLMTY0NjcwNDM1OTUVAgARGBIwMjg0RkMxOEMyMkNEQUFFRDgA' }, { name: 'Pablo Morales' });
      expect(json(m.ContentJson)).toMatchObject({ interactive: { list_reply: { id: 'priority_express', description: 'Next Day to 2 Days' } } });
      return;
    }
    case 'meta_location_named.json': {
      const m = expectOneInbound(rows, { Type: 'location', Text: 'Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301', ...noMedia });
      expect(json(m.ContentJson)).toMatchObject({ location: { latitude: 37.44221496582, longitude: -122.16165924072, name: 'Philz Coffee', url: 'https://philzcoffee.com/' } });
      return;
    }
    case 'meta_order_catalog.json': {
      const m = expectOneInbound(rows, { Type: 'order', Text: 'Love these!', WhatsAppTimestamp: at(1750096325) });
      expect(json(m.ContentJson)).toMatchObject({
        order: {
          catalog_id: '194836987003835',
          product_items: [
            { product_retailer_id: 'di9ozbzfi4', quantity: 2, item_price: 30, currency: 'USD' },
            { product_retailer_id: 'nqryix03ez', quantity: 1, item_price: 25, currency: 'USD' },
          ],
        },
      });
      return;
    }
    case 'meta_reaction_emoji.json':
    case 'meta_reaction_removed_no_emoji.json':
      // The target (a business message) is not stored here: the reaction waits for it; it is no new unread message.
      expectOneInbound(
        rows,
        {
          Type: 'reaction',
          Text: null,
          ReactionEmoji: '',
          ReactionToWhatsAppMessageId: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=',
          TargetWhatsAppMessageId: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=',
          WhatsAppTimestamp: at(1749419544),
        },
        { unread: 0, preview: null },
      );
      return;
    case 'meta_revoke_coexistence_only.json':
      expectOneInbound(rows, { Type: 'revoke', TargetWhatsAppMessageId: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=', ReactionEmoji: null }, { unread: 0, preview: null });
      return;
    case 'meta_sticker_animated.json': {
      const m = expectOneInbound(rows, { Type: 'sticker', MediaId: '1908647269898587', MediaState: 'pending', MediaMimeType: 'image/webp' }, { preview: '[sticker]' });
      expect(json(m.ContentJson)).toMatchObject({ sticker: { animated: true } });
      return;
    }
    case 'meta_system_user_changed_number.json':
      // No contacts and an unknown customer: filed under the new number; a notice, not a customer message.
      expectOneInbound(
        rows,
        { Type: 'system', Text: 'User Sheena Nelson changed from 16505551234 to 12195555358', WhatsAppTimestamp: at(1750269342) },
        { waId: '12195555358', name: null, unread: 0, inboundAt: null, preview: 'User Sheena Nelson changed from 16505551234 to 12195555358' },
      );
      return;
    case 'meta_text_click_to_whatsapp_ad_referral.json': {
      const m = expectOneInbound(rows, { Type: 'text', Text: 'Can I get more info about this?' });
      expect(json(m.ReferralJson)).toMatchObject({ source_type: 'ad', source_id: '120226305854810726', headline: 'Chat with us', welcome_message: { text: 'Hi there! Let us know how we can help!' } });
      expect(String(json(m.ReferralJson).ctwa_clid)).toMatch(/^Aff-n8ZTODiE79d22/);
      return;
    }
    case 'meta_text_message_business_button_referred_product.json': {
      const m = expectOneInbound(rows, { Type: 'text', Text: 'Is this still available?', ReplyToWhatsAppMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA' });
      expect(json(m.ContentJson)).toMatchObject({ context: { referred_product: { catalog_id: '194836987003835', product_retailer_id: 'di9ozbzfi4' } } });
      return;
    }
    case 'meta_text_plain.json':
      expectOneInbound(rows, { Type: 'text', Text: 'Does it come in another color?', WhatsAppTimestamp: at(1749416383), IsForwarded: false, ErrorCode: null, ...noMedia }, { preview: 'Does it come in another color?' });
      return;
    case 'meta_text_username_user_bsuid_empty_wa_id.json':
      expectOneInbound(rows, { Type: 'text', Text: 'Does it come in another color?' }, { waId: null, bsuid: 'user.93737...' });
      expect(rows.customers[0]).toMatchObject({ Username: '@realsheenanelson', CountryCode: 'US' });
      return;
    case 'meta_unsupported_edit_131051.json': {
      const m = expectOneInbound(rows, {
        Type: 'unsupported',
        Text: null,
        ErrorCode: 131051,
        ErrorTitle: 'Message type unknown',
        ErrorDetails: 'Message type is currently not supported.',
      });
      expect(json(m.ContentJson)).toMatchObject({ unsupported: { type: 'edit' } });
      return;
    }
    case 'meta_value_errors_130429.json':
      expect(rows.messages).toHaveLength(0);
      expect(rows.events).toHaveLength(1);
      expect(rows.events[0]).toMatchObject({ FirmId: 1, Field: 'messages', PhoneNumberId: '106540352242922', State: 'pending', BusinessAccountId: '102290129340398' });
      expect(json(rows.events[0]?.PayloadJson)).toMatchObject({ errors: [{ code: 130429, title: 'Rate limit hit' }] });
      return;
    case 'meta_video_caption.json':
      expectOneInbound(rows, { Type: 'video', Text: 'Timelapse of growth', MediaId: '731675419373506', MediaState: 'pending', MediaMimeType: 'video/mp4' });
      return;
    case 'netflie_batch_two_changes_two_text_messages.json':
      // Both changes carry the same message id ("wamid.ID"): the second is a duplicate and is not stored again.
      expectOneInbound(rows, { Type: 'text', Text: 'MESSAGE_BODY', WhatsAppMessageId: 'wamid.ID', WhatsAppTimestamp: at(1669233778) }, { waId: 'PHONE_NUMBER', name: 'NAME' });
      expect(rows.conversations[0]?.PhoneNumberId).toBe('PHONE_NUMBER_ID');
      return;
    case 'netflie_interactive_nfm_reply_flow.json': {
      const m = expectOneInbound(rows, { Type: 'interactive', Text: 'Sent', WhatsAppTimestamp: at(1669233778) }, { waId: 'PHONE_NUMBER_ID', name: 'NAME' });
      expect(json(m.ContentJson)).toMatchObject({ interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', response_json: '{"screen_0_name_0":"Email","screen_0_orderNumber_1":"ID","flow_token":"unused"}' } } });
      return;
    }
    case 'netflie_text_bsuid_only_no_from.json':
      expectOneInbound(rows, { Type: 'text', Text: 'MESSAGE_BODY' }, { waId: null, bsuid: 'BSUID_123', name: 'NAME' });
      return;
    case 'netflie_unknown_type_131051_error.json':
      expectOneInbound(
        rows,
        { Type: 'unknown', Text: null, ErrorCode: 131051, ErrorTitle: 'Unsupported message type', ErrorDetails: 'Message type is not currently supported' },
        { waId: 'PHONE_NUMBER', name: 'NAME', preview: '[unknown]' },
      );
      return;
    default:
      break;
  }
  expectParkedStatus(name, rows);
}

/** Status-only corpus files: no message to apply to, so the status is parked with every detail. */
function expectParkedStatus(name: string, rows: Rows): void {
  const parked: Record<string, Record<string, unknown>> = {
    'meta_status_delivered_cbp_service.json': { WhatsAppMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA', Status: 'delivered', StatusAt: at(1750263773), RecipientId: '16505551234', ErrorCode: null },
    'meta_status_failed_131049.json': {
      WhatsAppMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA',
      Status: 'failed',
      StatusAt: at(1751142888),
      ErrorCode: 131049,
      ErrorTitle: 'This message was not delivered to maintain healthy ecosystem engagement.',
      ErrorDetails: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
      PricingJson: null,
    },
    'meta_status_sent_marketing_pmp.json': { WhatsAppMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=', Status: 'sent', StatusAt: at(1750030073) },
    'meta_status_v24_minimal_no_conversation_no_pricing.json': { Status: 'sent', PricingJson: null },
    'netflie_status_failed_131053_minimal_error.json': { WhatsAppMessageId: 'amid.ID', Status: 'failed', ErrorCode: 131053, ErrorTitle: 'ERROR_TITLE', ErrorDetails: null, RecipientId: 'CUSTOMER_PHONE_NUMBER' },
    'netflie_status_read_conversation_initiated.json': { WhatsAppMessageId: 'wamid.ID', Status: 'read', StatusAt: at(1669233778) },
  };
  const expected = parked[name];
  if (!expected) throw new Error(`no expectations written for corpus file ${name}`);
  expect(rows.messages).toHaveLength(0);
  expect(rows.pending).toHaveLength(1);
  expect(rows.pending[0]).toMatchObject({ FirmId: 1, ...expected });
  if (name === 'meta_status_sent_marketing_pmp.json') {
    expect(json(rows.pending[0]?.PricingJson)).toMatchObject({ pricing: { pricing_model: 'PMP', category: 'marketing' }, conversation: { id: '72b14d6bd5407799e66f64d1b338e567', origin: { type: 'marketing' } } });
  }
  if (name === 'meta_status_delivered_cbp_service.json') expect(json(rows.pending[0]?.PricingJson)).toMatchObject({ pricing: { pricing_model: 'CBP' } });
}

/** The status each status file should leave on a stored outbound message with its id. */
export const corpusStatusOutcome: Record<string, { status: string; rank: number; timeColumn: string; errorCode?: number }> = {
  'meta_status_delivered_cbp_service.json': { status: 'delivered', rank: 20, timeColumn: 'DeliveredAt' },
  'meta_status_failed_131049.json': { status: 'failed', rank: 15, timeColumn: 'FailedAt', errorCode: 131049 },
  'meta_status_sent_marketing_pmp.json': { status: 'sent', rank: 10, timeColumn: 'SentAt' },
  'meta_status_v24_minimal_no_conversation_no_pricing.json': { status: 'sent', rank: 10, timeColumn: 'SentAt' },
  'netflie_status_failed_131053_minimal_error.json': { status: 'failed', rank: 15, timeColumn: 'FailedAt', errorCode: 131053 },
  'netflie_status_read_conversation_initiated.json': { status: 'read', rank: 30, timeColumn: 'ReadAt' },
};
