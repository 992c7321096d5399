// Whether presence can be known at all: only with Web PubSub do operators' connections (and so "online") get recorded.
import type { Config } from '../config';

/**
 * Without a Web PubSub connection nobody ever appears online, so taking conversations away from "offline" agents
 * would empty every inbox: the hand-back rules then stand still (assignment by rule just finds nobody online).
 */
export function agentPresenceIsConfigured(config: Pick<Config, 'webPubSub'>): boolean {
  return config.webPubSub.connectionString !== undefined && config.webPubSub.connectionString !== '';
}
