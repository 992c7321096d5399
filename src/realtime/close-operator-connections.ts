// Ends an operator's live Web PubSub connections: deactivation, password reset and role change must cut them at once.
import type { Config } from '../config';
import { realtimeUserId } from './realtime-identity';
import { webPubSubConnection } from './web-pubsub-service';

/**
 * Closes every connection of the operator, for the auth capability to call after deactivation, a password reset or
 * a role change (groups and role are fixed at connect, so the operator must reconnect through `/negotiate`, which
 * refuses a revoked session). Retried briefly; resolves false instead of throwing when the service cannot be reached
 * (the sessions are already revoked, so no new connection can be negotiated). True when no Web PubSub is configured.
 */
export async function closeOperatorConnections(
  services: { config: Pick<Config, 'webPubSub'> },
  firmId: number,
  operatorId: string,
  reason = 'signed-out',
): Promise<boolean> {
  const connection = webPubSubConnection(services.config.webPubSub);
  if (!connection) return true;
  const userId = realtimeUserId(firmId, operatorId);
  for (const delay of [0, 200, 800]) {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      await connection.client.closeUserConnections(userId, { reason, abortSignal: AbortSignal.timeout(3000) });
      return true;
    } catch (error) {
      console.warn(`realtime: could not close the connections of operator ${operatorId} of firm ${firmId}`, error);
    }
  }
  return false;
}
