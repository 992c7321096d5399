// POST /api/realtime/negotiate as a use case: a short-lived Web PubSub client URL scoped by the server to the caller.
import type { Actor } from '../auth/actor';
import type { Config } from '../config';
import { AppError } from '../shared/app-error';
import { groupsFor, realtimeUserId } from './realtime-identity';
import { webPubSubConnection } from './web-pubsub-service';

/** Client tokens live in URLs: keep them short (SECURITY.md §4.4). Checked only at connect. */
export const CLIENT_TOKEN_MINUTES = 15;

/**
 * A client access URL for the operator: user id `<firmId>:<operatorId>`, the firm's and the role's groups joined at
 * connect, and no `role` claims, so the client can neither join or leave a group nor publish; it only listens.
 * ServiceUnavailable when no Web PubSub is configured.
 */
export async function negotiateRealtime(services: { config: Pick<Config, 'webPubSub'> }, actor: Pick<Actor, 'firmId' | 'operatorId' | 'role'>): Promise<{ url: string }> {
  const connection = webPubSubConnection(services.config.webPubSub);
  if (!connection) throw new AppError('ServiceUnavailable');
  const { url } = await connection.client.getClientAccessToken({
    userId: realtimeUserId(actor.firmId, actor.operatorId),
    groups: groupsFor(actor),
    expirationTimeInMinutes: CLIENT_TOKEN_MINUTES,
  });
  return { url };
}
