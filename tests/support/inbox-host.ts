// The app on the in-process local host for inbox tests: real sockets, its own SQLite file, the run's Azurite, two firms,
// signed-in operators, and builders for conversations and messages written straight into the app's database.
import type { WebPubSubClient } from '@azure/web-pubsub-client';
import { createOperator } from '../../src/admin/create-operator';
import { loadConfig } from '../../src/config';
import type { DatabaseHandle } from '../../src/db/database';
import type { NewRow } from '../../src/db/tables';
import { serializeWebhookBody, signWebhookBody } from '../../src/devhost/graph-simulator/sign-webhook-body';
import type { RealtimeClientEvent } from '../../src/realtime/realtime-events.schemas';
import { systemClock } from '../../src/shared/clock';
import { newId } from '../../src/shared/ids';
import type { HttpAnswer } from './http-answer';
import { startHttpTestHost, type HttpTestHost } from './http-test-host';
import { connectRecordingClient } from './recording-client';
import { waitUntil } from './wait-until';
import { textMessage } from './webhook-fixtures';

/** The functions these tests run: no queue workers or timers, so the host never takes other files' queue messages. */
export const INBOX_FUNCTIONS = [
  'health',
  'auth-login',
  'webhook-receive',
  'conversations-list',
  'conversations-get',
  'conversations-update',
  'conversations-messages',
  'conversations-assign',
  'conversations-read',
  'messages-search',
] as const;

export const INBOX_APP_SECRET = 'inbox-test-app-secret-5c1e9a';
export const INBOX_PASSWORD = 'inbox tests passphrase 2026';
/** Meta phone number ids of firm 1 (from settings, via the first-run bootstrap) and firm 2. */
export const FIRM_PHONES = { 1: '300000000000001', 2: '300000000000002' } as const;

export interface Principal {
  readonly name: string;
  readonly id: string;
  readonly firmId: number;
  readonly role: 'Admin' | 'Agent';
  readonly token: string;
}

export interface InboxHost extends HttpTestHost {
  /** Creates an operator (firm 2 is created on first use) and signs it in through POST /api/auth/login. */
  addOperator(firmId: number, role: 'Admin' | 'Agent', name: string): Promise<Principal>;
  /** Signs a webhook body as Meta would and posts it to /api/webhook. */
  postWebhook(payload: unknown): Promise<HttpAnswer>;
  /** Posts, signed, the webhook Meta sends when a customer writes `text` to firm 1's number. */
  postInboundText(message: InboundText): Promise<HttpAnswer>;
  /**
   * With `realtime`: negotiates and connects the operator's WebPubSubClient, and resolves once presence counts them
   * online (GET /api/operators/online). `disconnect()` stops it and waits until they are offline.
   */
  connect(principal: Principal): Promise<OperatorSession>;
}

/** A customer's text message to firm 1: who sent it, its wamid, and when (Unix seconds, default now). */
export interface InboundText {
  readonly waId: string;
  readonly name: string;
  readonly wamid: string;
  readonly text: string;
  readonly timestamp?: number;
}

/** A connected operator: every catalogue event received so far, and a way to leave. */
export interface OperatorSession {
  readonly events: RealtimeClientEvent[];
  /** Data that did not parse as a catalogue event (should stay empty). */
  readonly malformed: unknown[];
  disconnect(): Promise<void>;
}

/** With real-time on, the host also runs negotiate, the Web PubSub event handler and the online list (presence). */
const REALTIME_FUNCTIONS = ['realtime-negotiate', 'realtime-events', 'operators-online'] as const;

/** Starts the compiled app (`npm run build` first) with the inbox functions; settings go to process.env, which the app reads. */
export async function startInboxHost(settings: Record<string, string> = {}, options: { realtime?: boolean } = {}): Promise<InboxHost> {
  const app = await startHttpTestHost({
    name: 'inbox',
    functions: [...INBOX_FUNCTIONS, ...(options.realtime ? REALTIME_FUNCTIONS : [])],
    settings: {
      Jwt__Key: 'inbox-tests-jwt-key-0123456789-abcdefghijklmnopqrstuvwxyz',
      Bootstrap__AdminPassword: INBOX_PASSWORD,
      Bootstrap__FirmId: '1',
      WhatsApp__AppSecret: INBOX_APP_SECRET,
      WhatsApp__PhoneNumberId: FIRM_PHONES[1],
      ...settings,
    },
    realtime: options.realtime,
  });
  const { call, database } = app;
  const clients = new Set<WebPubSubClient>();
  const config = loadConfig(process.env);
  let loginCount = 0;

  const login = async (userName: string): Promise<{ token: string; id: string }> => {
    loginCount += 1;
    // A distinct address per sign-in keeps the per-IP sign-in throttle out of the way.
    const ip = `198.18.${Math.floor(loginCount / 250)}.${loginCount % 250}`;
    const answer = await call('POST', 'auth/login', { body: { userName, password: INBOX_PASSWORD }, ip });
    if (answer.status !== 200) throw new Error(`login of ${userName} failed: ${answer.status} ${answer.text}`);
    const json = answer.json as { accessToken: string; operator: { id: string } };
    return { token: json.accessToken, id: json.operator.id };
  };
  const postWebhook: InboxHost['postWebhook'] = (payload) => {
    const body = serializeWebhookBody(payload);
    return call('POST', 'webhook', { body, headers: { 'x-hub-signature-256': signWebhookBody(INBOX_APP_SECRET, body), 'content-type': 'application/json' } });
  };

  return {
    ...app,
    async addOperator(firmId, role, name) {
      await ensureFirm(database, firmId);
      if (firmId === 1 && role === 'Admin' && name === 'admin') return { name, firmId, role, ...(await login('admin')) };
      const userName = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${firmId}`;
      await createOperator({ db: database.db, clock: systemClock, config }, { firmId, userName, fullName: name, role, password: INBOX_PASSWORD });
      return { name, firmId, role, ...(await login(userName)) };
    },
    postWebhook,
    postInboundText(message) {
      return postWebhook({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '1',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '15550000001', phone_number_id: FIRM_PHONES[1] },
                  contacts: [{ profile: { name: message.name }, wa_id: message.waId }],
                  messages: [textMessage(message.wamid, message.waId, message.text, message.timestamp ?? Math.floor(Date.now() / 1000))],
                },
              },
            ],
          },
        ],
      });
    },
    async connect(principal) {
      const negotiated = await call('POST', 'realtime/negotiate', { token: principal.token });
      if (negotiated.status !== 200) throw new Error(`negotiate failed: ${negotiated.status} ${negotiated.text}`);
      const { client, events, malformed } = await connectRecordingClient((negotiated.json as { url: string }).url, { reliable: false });
      clients.add(client);
      await waitUntil(`${principal.name} online`, async () => isOnline(principal));
      return {
        events,
        malformed,
        async disconnect() {
          client.stop();
          clients.delete(client);
          await waitUntil(`${principal.name} offline`, async () => !(await isOnline(principal)));
        },
      };
    },
    async stop() {
      for (const client of clients) client.stop();
      await app.stop();
    },
  };

  async function isOnline(principal: Principal): Promise<boolean> {
    const answer = await call('GET', 'operators/online', { token: principal.token });
    return (answer.json as { operators: { id: string }[] }).operators.some((o) => o.id === principal.id);
  }
}

/** Firm 1 comes from the first-run bootstrap; other firms get a settings row and a phone number here. */
export async function ensureFirm(database: DatabaseHandle, firmId: number): Promise<void> {
  const now = new Date();
  const exists = await database.db.selectFrom('WhatsApp_FirmSettings').select('FirmId').where('FirmId', '=', firmId).executeTakeFirst();
  if (!exists) await database.db.insertInto('WhatsApp_FirmSettings').values({ FirmId: firmId, DisplayName: `Firm ${firmId}`, CreatedAt: now, UpdatedAt: now }).execute();
  const phoneNumberId = FIRM_PHONES[firmId as 1 | 2];
  const phone = await database.db.selectFrom('WhatsApp_PhoneNumbers').select('Id').where('PhoneNumberId', '=', phoneNumberId).executeTakeFirst();
  if (!phone) await database.db.insertInto('WhatsApp_PhoneNumbers').values({ Id: newId(), FirmId: firmId, PhoneNumberId: phoneNumberId, CreatedAt: now, UpdatedAt: now }).execute();
}

/** A message to seed; times default to the conversation's last message time. */
export interface SeedMessage {
  readonly id?: string;
  readonly text: string | null;
  readonly direction?: 'inbound' | 'outbound';
  readonly at: Date;
  readonly extra?: Partial<NewRow<'WhatsApp_Messages'>>;
}

export interface SeedConversation {
  readonly firmId: number;
  readonly name: string | null;
  readonly waId: string;
  readonly status?: 'Open' | 'Pending' | 'Resolved';
  readonly assigneeId?: string | null;
  readonly lastMessageAt: Date;
  readonly lastInboundAt?: Date | null;
  readonly unread?: number;
  readonly messages?: readonly SeedMessage[];
}

/** Writes a customer, a conversation and its messages as the webhook would have stored them; returns the conversation id. */
export async function seedConversation(database: DatabaseHandle, seed: SeedConversation): Promise<string> {
  const now = new Date();
  const customerId = newId();
  const conversationId = newId();
  await database.db.insertInto('WhatsApp_Customers').values({ Id: customerId, FirmId: seed.firmId, WaId: seed.waId, ProfileName: seed.name, CreatedAt: now, UpdatedAt: now }).execute();
  await database.db
    .insertInto('WhatsApp_Conversations')
    .values({
      Id: conversationId,
      FirmId: seed.firmId,
      PhoneNumberId: FIRM_PHONES[seed.firmId as 1 | 2],
      CustomerId: customerId,
      Status: seed.status ?? 'Open',
      AssignedOperatorId: seed.assigneeId ?? null,
      AssignedAt: seed.assigneeId ? now : null,
      LastInboundAt: seed.lastInboundAt === undefined ? seed.lastMessageAt : seed.lastInboundAt,
      LastMessageAt: seed.lastMessageAt,
      LastMessagePreview: seed.messages?.at(-1)?.text?.slice(0, 200) ?? null,
      UnreadCount: seed.unread ?? 0,
      ResolvedAt: seed.status === 'Resolved' ? now : null,
      CreatedAt: now,
      UpdatedAt: now,
    })
    .execute();
  for (const message of seed.messages ?? []) {
    const direction = message.direction ?? 'inbound';
    await database.db
      .insertInto('WhatsApp_Messages')
      .values({
        Id: message.id ?? newId(message.at.getTime()),
        FirmId: seed.firmId,
        ConversationId: conversationId,
        Direction: direction,
        Type: 'text',
        Status: direction === 'inbound' ? 'received' : 'read',
        MessageAt: message.at,
        Text: message.text,
        WhatsAppMessageId: `wamid.${newId()}`,
        CreatedAt: now,
        UpdatedAt: now,
        ...message.extra,
      })
      .execute();
  }
  return conversationId;
}
