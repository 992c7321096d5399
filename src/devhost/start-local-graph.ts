// The local stand-in for Meta's Graph API: starts the Graph simulator when no real WhatsApp access token is configured,
// points the app at it (`WhatsApp__GraphBaseUrl`) and its webhooks at the app's `/api/webhook`.
import { startGraphSimulator } from './graph-simulator/graph-simulator';

/** Shaped as a companion service of `npm start` (see start.ts). */
export interface LocalGraph {
  readonly name: string;
  readonly where: string;
  useAppBaseUrl(appBaseUrl: string): void;
  stop(): Promise<void>;
}

/** The simulator's usual port (as `npm run simulate` expects it); any free port when that one is taken. */
const DEFAULT_PORT = 7081;

/**
 * Starts the simulator when `usesSimulator` (start.ts generated a local token because none was set) and no Graph base
 * URL was given, with the firm's number and WABA from the settings; sets `WhatsApp__GraphBaseUrl` and
 * `GraphSimulator__Url` in `env` before the app reads them. Otherwise a no-op service that says what is used.
 */
export async function startLocalGraph(env: Record<string, string | undefined>, usesSimulator: boolean, dataDir: string): Promise<LocalGraph> {
  const configured = env['WhatsApp__GraphBaseUrl']?.trim();
  if (!usesSimulator || configured) {
    return { name: 'Graph API', where: configured ?? 'https://graph.facebook.com', useAppBaseUrl: () => {}, stop: async () => {} };
  }
  const options = {
    accessToken: env['WhatsApp__AccessToken'] ?? 'local-simulator-token',
    appSecret: env['WhatsApp__AppSecret'] ?? 'local-simulator-app-secret',
    phoneNumbers: [
      {
        phoneNumberId: env['WhatsApp__PhoneNumberId'] ?? '100000000000001',
        displayPhoneNumber: env['WhatsApp__DisplayPhoneNumber'] ?? '15550000000',
        wabaId: env['WhatsApp__BusinessAccountId'] ?? '200000000000001',
      },
    ],
    dataDir: `${dataDir}/graph-simulator`,
  };
  const port = new URL(env['GraphSimulator__Url'] ?? `http://127.0.0.1:${DEFAULT_PORT}`).port;
  const wanted = port === '' ? DEFAULT_PORT : Number(port);
  const simulator = await startGraphSimulator({ ...options, port: wanted }).catch((error: unknown) => {
    if ((error as { code?: string }).code === 'EADDRINUSE') return startGraphSimulator({ ...options, port: 0 });
    throw error;
  });
  env['WhatsApp__GraphBaseUrl'] = simulator.baseUrl;
  env['GraphSimulator__Url'] = simulator.baseUrl;
  return {
    name: 'Graph API',
    where: `${simulator.baseUrl} (local Graph simulator; control API at /_sim, \`npm run simulate\`)`,
    useAppBaseUrl: (appBaseUrl) => simulator.setWebhookUrl(`${appBaseUrl.replace(/\/+$/, '')}/webhook`),
    stop: () => simulator.stop(),
  };
}
