// Chooses the real-time adapter from settings: Web PubSub when `WebPubSubConnectionString` is set, else none.
import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { Database } from '../db/tables';
import type { Clock } from '../shared/clock';
import type { RealtimePublisher } from './realtime-publisher';
import { createWebPubSubPublisher } from './web-pubsub-publisher';
import { webPubSubConnection } from './web-pubsub-service';

/** The Web PubSub publisher for the configured hub, or undefined when no connection string is set. */
export function createRealtimePublisher(config: Pick<Config, 'webPubSub'>, db: Kysely<Database>, clock: Clock): RealtimePublisher | undefined {
  const connection = webPubSubConnection(config.webPubSub);
  return connection ? createWebPubSubPublisher({ db, clock, broadcast: connection.broadcast }) : undefined;
}
