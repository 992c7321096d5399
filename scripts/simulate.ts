// `npm run simulate -- <command>`: play a WhatsApp customer against a running `npm start`, and drive its Graph simulator.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { startGraphSimulator } from '../src/devhost/graph-simulator/graph-simulator';
import { buildInboundWebhook, type InboundContent, type InboundMediaKind } from '../src/devhost/graph-simulator/inbound-message';
import { localSettingReader } from '../src/devhost/local-settings';
import { mimeTypeForFile } from '../src/devhost/graph-simulator/media-types';
import { serializeWebhookBody, signWebhookBody } from '../src/devhost/graph-simulator/sign-webhook-body';
import type { SimulatedPhoneNumber } from '../src/devhost/graph-simulator/webhook-envelope';

const usage = `Usage: npm run simulate -- <command> [options]

  inbound   --from 905551234567 [--name "Ayşe"] one of:
              --text "Merhaba" | --image FILE | --document FILE | --video FILE | --audio FILE [--voice]
              | --sticker FILE | --location 41.01,28.97 [--location-name NAME] | --reaction WAMID --emoji 👍
            [--caption TEXT] [--reply-to WAMID] [--to-phone-number-id ID] [--app URL] [--simulator URL]
            Signs with WhatsApp__AppSecret (env, local.settings.json, .data/local-secrets.json) and posts to --app
            (default http://127.0.0.1:7071/api/webhook). Media files are registered with the running simulator.
  status    --id WAMID --status sent|delivered|read|failed|played [--code N]
  fault     --code N | --http-status N | --timeout-after-accept [--delay-ms N] | --reset [--after-accept]
            | --fail-async N   [--to NUMBER] [--path /messages] [--type text] [--times N] [--skip N] [--probability P]
  faults    [--clear]          list (or remove) injected faults
  received  [--since SEQ]      requests the simulator received
  serve     [--port 7081] [--app URL]   run a standalone simulator (when not using npm start)

The simulator is found at --simulator, else GraphSimulator__Url, else http://127.0.0.1:7081.`;

/** Where the CLI writes and which settings it sees; injectable so tests run it in-process. */
export interface CliIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  out(line: string): void;
  err(line: string): void;
}

const options = {
  from: { type: 'string' }, name: { type: 'string' }, text: { type: 'string' }, caption: { type: 'string' },
  image: { type: 'string' }, document: { type: 'string' }, video: { type: 'string' }, audio: { type: 'string' }, sticker: { type: 'string' },
  voice: { type: 'boolean' }, location: { type: 'string' }, 'location-name': { type: 'string' }, reaction: { type: 'string' }, emoji: { type: 'string' },
  'reply-to': { type: 'string' }, 'to-phone-number-id': { type: 'string' }, app: { type: 'string' }, simulator: { type: 'string' },
  id: { type: 'string' }, status: { type: 'string' }, code: { type: 'string' }, 'http-status': { type: 'string' },
  'timeout-after-accept': { type: 'boolean' }, 'delay-ms': { type: 'string' }, reset: { type: 'boolean' }, 'after-accept': { type: 'boolean' },
  'fail-async': { type: 'string' }, to: { type: 'string' }, path: { type: 'string' }, type: { type: 'string' }, times: { type: 'string' },
  skip: { type: 'string' }, probability: { type: 'string' }, clear: { type: 'boolean' }, since: { type: 'string' }, port: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
type Flags = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

class CliError extends Error {}

/** One reading of the local settings files per command run. */
const readers = new WeakMap<CliIo, (name: string) => string | undefined>();
function settingOf(io: CliIo, name: string): string | undefined {
  let reader = readers.get(io);
  if (!reader) {
    reader = localSettingReader(io.cwd, io.env);
    readers.set(io, reader);
  }
  return reader(name);
}

function simulatorUrl(flags: Flags, io: CliIo): string {
  return (flags.simulator ?? settingOf(io, 'GraphSimulator__Url') ?? 'http://127.0.0.1:7081').replace(/\/+$/, '');
}

async function control(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${base}/_sim/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
  } catch {
    throw new CliError(`No Graph simulator answers at ${base} (start it with npm start, or npm run simulate -- serve).`);
  }
  const json = (await response.json()) as unknown;
  if (!response.ok) throw new CliError(`Simulator refused ${method} /_sim/${path}: ${JSON.stringify(json)}`);
  return json;
}

async function businessPhone(flags: Flags, io: CliIo, base: string, needSimulator: boolean): Promise<SimulatedPhoneNumber> {
  const wanted = flags['to-phone-number-id'];
  const config = await control(base, 'GET', 'config').catch((error: unknown) => {
    if (needSimulator) throw error;
    return undefined;
  });
  const numbers = (config as { phoneNumbers?: SimulatedPhoneNumber[] } | undefined)?.phoneNumbers ?? [];
  const known = wanted === undefined ? numbers[0] : numbers.find((p) => p.phoneNumberId === wanted);
  if (known !== undefined) return known;
  const phoneNumberId = wanted ?? settingOf(io, 'WhatsApp__PhoneNumberId');
  if (phoneNumberId === undefined) throw new CliError('Which business number? Pass --to-phone-number-id (or set WhatsApp__PhoneNumberId).');
  return {
    phoneNumberId,
    displayPhoneNumber: settingOf(io, 'WhatsApp__DisplayPhoneNumber') ?? '15550000000',
    wabaId: settingOf(io, 'WhatsApp__WabaId') ?? '0',
  };
}

async function inboundContent(flags: Flags, base: string, phone: SimulatedPhoneNumber): Promise<InboundContent> {
  for (const kind of ['image', 'document', 'video', 'audio', 'sticker'] as const satisfies readonly InboundMediaKind[]) {
    const file = flags[kind];
    if (file === undefined) continue;
    const bytes = await readFile(file).catch(() => {
      throw new CliError(`Cannot read ${file}`);
    });
    const media = (await control(base, 'POST', 'media', {
      base64: bytes.toString('base64'),
      mimeType: mimeTypeForFile(file),
      filename: basename(file),
      phoneNumberId: phone.phoneNumberId,
    })) as { id: string; mimeType: string; sha256Base64: string; url: string };
    const extras = {
      ...(flags.caption === undefined ? {} : { caption: flags.caption }),
      ...(kind === 'document' ? { filename: basename(file) } : {}),
      ...(kind === 'audio' ? { voice: flags.voice ?? false } : {}),
    };
    return { kind: 'media', mediaKind: kind, media: { id: media.id, mimeType: media.mimeType, sha256Base64: media.sha256Base64, url: media.url }, extras };
  }
  if (flags.text !== undefined) return { kind: 'text', body: flags.text };
  if (flags.location !== undefined) {
    const [latitude, longitude] = flags.location.split(',').map(Number);
    if (latitude === undefined || longitude === undefined || Number.isNaN(latitude) || Number.isNaN(longitude)) throw new CliError('--location wants LAT,LONG');
    return { kind: 'location', location: { latitude, longitude, ...(flags['location-name'] ? { name: flags['location-name'] } : {}) } };
  }
  if (flags.reaction !== undefined) return { kind: 'reaction', reaction: { messageId: flags.reaction, emoji: flags.emoji ?? '👍' } };
  throw new CliError('inbound needs --text, --image, --document, --video, --audio, --sticker, --location or --reaction');
}

async function inbound(flags: Flags, io: CliIo): Promise<number> {
  if (flags.from === undefined) throw new CliError('inbound needs --from <customer phone number>');
  const appSecret = settingOf(io, 'WhatsApp__AppSecret');
  if (appSecret === undefined) throw new CliError('WhatsApp__AppSecret not found in the environment, local.settings.json or .data/local-secrets.json.');
  const base = simulatorUrl(flags, io);
  const hasMedia = ['image', 'document', 'video', 'audio', 'sticker'].some((k) => flags[k as keyof Flags] !== undefined);
  const phone = await businessPhone(flags, io, base, hasMedia);
  const content = await inboundContent(flags, base, phone);
  const { messageId, payload } = buildInboundWebhook({
    phone,
    from: flags.from,
    content,
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(flags['reply-to'] === undefined ? {} : { context: { id: flags['reply-to'] } }),
  });
  const raw = serializeWebhookBody(payload);
  const app = flags.app ?? 'http://127.0.0.1:7071/api/webhook';
  const response = await fetch(app, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signWebhookBody(appSecret, raw) },
    body: raw,
  }).catch(() => {
    throw new CliError(`Nothing answers at ${app} (is npm start running?)`);
  });
  io.out(`${response.status} ${response.statusText} ← ${app}`);
  io.out(`message ${messageId} from ${flags.from} to ${phone.phoneNumberId}`);
  return response.ok ? 0 : 1;
}

function faultRule(flags: Flags): unknown {
  const int = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  const action =
    flags.code !== undefined ? { kind: 'error', code: Number(flags.code) }
    : flags['http-status'] !== undefined ? { kind: 'http-status', status: Number(flags['http-status']) }
    : flags['timeout-after-accept'] ? { kind: 'timeout-after-accept', ...(flags['delay-ms'] ? { delayMs: Number(flags['delay-ms']) } : {}) }
    : flags.reset ? { kind: 'connection-reset', afterAccept: flags['after-accept'] ?? false }
    : flags['fail-async'] !== undefined ? { kind: 'fail-async', code: Number(flags['fail-async']) }
    : undefined;
  if (action === undefined) throw new CliError('fault needs --code, --http-status, --timeout-after-accept, --reset or --fail-async');
  const match = { ...(flags.to ? { to: flags.to } : {}), ...(flags.path ? { path: flags.path } : {}), ...(flags.type ? { messageType: flags.type } : {}) };
  return {
    action,
    ...(Object.keys(match).length > 0 ? { match } : {}),
    ...(flags.times ? { times: int(flags.times) } : {}),
    ...(flags.skip ? { skip: int(flags.skip) } : {}),
    ...(flags.probability ? { probability: Number(flags.probability) } : {}),
  };
}

async function serve(flags: Flags, io: CliIo): Promise<number> {
  const setting = (name: string) => settingOf(io, name);
  const appSecret = setting('WhatsApp__AppSecret');
  if (appSecret === undefined) throw new CliError('serve needs WhatsApp__AppSecret (environment, local.settings.json or .data/local-secrets.json).');
  const sim = await startGraphSimulator({
    port: Number(flags.port ?? (new URL(simulatorUrl(flags, io)).port || '7081')),
    accessToken: setting('WhatsApp__AccessToken') ?? 'local-simulator-token',
    appSecret,
    phoneNumbers: [
      {
        phoneNumberId: setting('WhatsApp__PhoneNumberId') ?? '100000000000001',
        displayPhoneNumber: setting('WhatsApp__DisplayPhoneNumber') ?? '15550000000',
        wabaId: setting('WhatsApp__WabaId') ?? '100000000000002',
      },
    ],
    webhookUrl: flags.app ?? 'http://127.0.0.1:7071/api/webhook',
    dataDir: `${io.cwd}/.data/graph-simulator`,
  });
  io.out(`Graph simulator on ${sim.baseUrl} (phone number ${sim.phoneNumbers[0]?.phoneNumberId ?? ''}); Ctrl+C stops it.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.stop();
  return 0;
}

/** Runs one CLI command; answers the exit code. */
export async function runSimulateCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
  const { values: flags, positionals } = parsed;
  const command = positionals[0];
  if (flags.help || command === undefined) {
    io.out(usage);
    return command === undefined && !flags.help ? 2 : 0;
  }
  const base = simulatorUrl(flags, io);
  const print = (value: unknown) => io.out(JSON.stringify(value, null, 2));
  try {
    switch (command) {
      case 'inbound':
        return await inbound(flags, io);
      case 'status':
        if (flags.id === undefined || flags.status === undefined) throw new CliError('status needs --id and --status');
        print(await control(base, 'POST', 'statuses', { messageId: flags.id, status: flags.status, ...(flags.code ? { error: { code: Number(flags.code) } } : {}) }));
        return 0;
      case 'fault':
        print(await control(base, 'POST', 'faults', faultRule(flags)));
        return 0;
      case 'faults':
        print(await control(base, flags.clear ? 'DELETE' : 'GET', 'faults'));
        return 0;
      case 'received':
        print(await control(base, 'GET', `received${flags.since ? `?since=${encodeURIComponent(flags.since)}` : ''}`));
        return 0;
      case 'serve':
        return await serve(flags, io);
      default:
        io.err(`Unknown command ${command}\n\n${usage}`);
        return 2;
    }
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    io.err(error.message);
    return 1;
  }
}

// Run only when executed (`node dist/scripts/simulate.js`), not when a test imports it.
if (typeof require !== 'undefined' && require.main === module) {
  runSimulateCli(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
