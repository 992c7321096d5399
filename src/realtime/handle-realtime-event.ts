// POST/OPTIONS /api/realtime/events as a use case: Web PubSub's upstream events, verified, turned into presence.
import type { Services } from '../services';
import { recordConnection } from '../presence/record-connection';
import { parseRealtimeUserId } from './realtime-identity';
import { isSignedByService } from './verify-event-signature';
import { webPubSubConnection } from './web-pubsub-service';

/** The request as the use case needs it: header look-up by name (case-insensitive), no body (no event needs one). */
export interface UpstreamEventRequest {
  readonly method: string;
  header(name: string): string | null;
}

export interface UpstreamEventResponse {
  readonly status: 200 | 204 | 400 | 401 | 503;
  readonly headers?: Record<string, string>;
}

/** Where event problems are logged. */
export interface EventLog {
  warn(message: string, ...details: unknown[]): void;
}

/**
 * The abuse-protection handshake (OPTIONS: `WebHook-Allowed-Origin` only for our own service's host) and the
 * `connected` / `disconnected` system events. Anything not signed with the configured AccessKey is 401 and changes
 * nothing. A connection of an operator who is no longer active is closed instead of counted.
 */
export async function handleRealtimeEvent(
  services: Pick<Services, 'config' | 'storage' | 'clock' | 'realtime' | 'db'>,
  request: UpstreamEventRequest,
  log: EventLog,
): Promise<UpstreamEventResponse> {
  const connection = webPubSubConnection(services.config.webPubSub);
  if (!connection) return { status: 503 };
  if (request.method === 'OPTIONS') {
    const origin = request.header('webhook-request-origin')?.trim() ?? '';
    if (origin.toLowerCase() !== new URL(connection.endpoint).hostname.toLowerCase()) return { status: 400 };
    return { status: 200, headers: { 'WebHook-Allowed-Origin': origin } };
  }

  const connectionId = request.header('ce-connectionid');
  if (!isSignedByService(connectionId, request.header('ce-signature'), [connection.accessKey]) || !connectionId) {
    log.warn('realtime: refused an upstream event without a valid ce-signature');
    return { status: 401 };
  }
  if ((request.header('ce-hub') ?? '').toLowerCase() !== connection.hub.toLowerCase()) return { status: 400 };
  const type = request.header('ce-type') ?? '';
  if (type === 'azure.webpubsub.sys.connect') return { status: 204 };
  if (type !== 'azure.webpubsub.sys.connected' && type !== 'azure.webpubsub.sys.disconnected') return { status: 400 };

  const who = parseRealtimeUserId(request.header('ce-userid'));
  if (!who) return { status: 204 };
  if (type === 'azure.webpubsub.sys.connected' && !(await isActiveOperator(services, who))) {
    await connection.client.closeConnection(connectionId, { reason: 'signed-out' }).catch((error: unknown) => log.warn('realtime: could not close a stale connection', error));
    return { status: 204 };
  }
  await recordConnection(services, who, connectionId, type === 'azure.webpubsub.sys.connected' ? 'connected' : 'disconnected');
  return { status: 204 };
}

async function isActiveOperator(services: Pick<Services, 'db'>, who: { firmId: number; operatorId: string }): Promise<boolean> {
  const row = await services.db
    .selectFrom('WhatsApp_Operators')
    .select('IsActive')
    .where('Id', '=', who.operatorId)
    .where('FirmId', '=', who.firmId)
    .executeTakeFirst();
  return row?.IsActive === true;
}
