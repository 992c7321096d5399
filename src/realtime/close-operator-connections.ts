// Ends an operator's live Web PubSub connections: deactivation, password reset and role change must cut them at once.
import type { Config } from '../config';
import { realtimeUserId } from './realtime-identity';
import { webPubSubConnection } from './web-pubsub-service';

/**
 * Closes every connection of the operator (their token groups and role are fixed at connect, so a changed operator
 * must reconnect through `/negotiate`, which refuses them if they can no longer sign in). Resolves false instead of
 * throwing when the service cannot be reached; the caller has already revoked the operator's sessions, and a client
 * token expires within 15 minutes regardless. True when nothing is configured (no connections can exist).
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
