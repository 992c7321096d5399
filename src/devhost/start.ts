// `npm start`: the whole local stack without Core Tools or Docker — local settings, generated local secrets,
// Azurite, the app on the local Functions host — printed as a table, stopped cleanly on Ctrl-C / SIGTERM.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startAzurite, startOrReuseDevelopmentStorage, type AzuritePorts, type RunningAzurite } from './azurite';
import { DevHostError } from './functions-host/dev-host-error';
import { startLocalHost, type LocalHost, type LocalHostFunction } from './functions-host/start-local-host';
import { isDevelopmentStorage } from './functions-host/storage-connection';
import { applyLocalDefaults, loadLocalSettings } from './local-settings';
import { startLocalRealtime } from './start-local-realtime';
import { startLocalGraph } from './start-local-graph';

/** A companion service started next to the host (shown in the table, stopped on exit). */
interface CompanionService {
  readonly name: string;
  readonly where: string;
  /** Called once the host listens, for services that call back into the app (e.g. Web PubSub event handlers). */
  useAppBaseUrl?(appBaseUrl: string): void | Promise<void>;
  stop(): Promise<void>;
}

/** Message sent over IPC when the host was spawned with an IPC channel (tests/support/local-host.ts). */
export interface LocalHostReadyMessage {
  readonly type: 'ustad-local-host-ready';
  readonly url: string;
  readonly baseUrl: string;
  readonly hostKey: string;
  readonly azuritePid: number | undefined;
  readonly storageConnectionString: string | undefined;
}

const usage = `Usage: node dist/src/devhost/start.js [--app-dir <dir>] [--azurite-ports <blob,queue,table>|0] [--azurite-in-memory]
  --app-dir            function app to run (package.json "main", host.json, local.settings.json); default: this repository
  --azurite-ports      ports for a started Azurite (0 = any free ports); default 10000,10001,10002
  --azurite-in-memory  keep Azurite's data in memory instead of <LOCAL_DATA_DIR>/azurite
Environment: PORT (default 7071), LOCAL_DATA_DIR (default .data), FUNCTIONS_HOST_KEY (default: random per start),
  DEVHOST_DEBUG=1 to print debug logs.`;

const repositoryRoot = path.resolve(__dirname, '..', '..', '..');

function parsePorts(text: string | undefined): AzuritePorts | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === '0') return { blob: 0, queue: 0, table: 0 };
  const parts = text.split(',').map((p) => Number(p.trim()));
  const [blob, queue, table] = parts;
  if (parts.length !== 3 || blob === undefined || queue === undefined || table === undefined || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)) {
    throw new DevHostError(`--azurite-ports "${text}" must be three ports "blob,queue,table" or 0.`);
  }
  return { blob, queue, table };
}

function parsePort(value: string | number | undefined): number {
  const port = Number(value ?? 7071);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DevHostError(`PORT "${String(value)}" is not a TCP port number.`);
  return port;
}

/**
 * Starts the local stand-ins the settings ask for: the Web PubSub emulator unless one is configured, and the Graph
 * simulator (src/devhost/graph-simulator) unless a real WhatsApp access token is configured.
 */
async function startCompanionServices(env: NodeJS.ProcessEnv, dataDir: string, usesWhatsAppSimulator: boolean): Promise<CompanionService[]> {
  const realtime = await startLocalRealtime(env);
  // Issue 7: the Graph simulator stands in for Meta when no real access token is configured.
  const graph = await startLocalGraph(env, usesWhatsAppSimulator, dataDir).catch(async (error: unknown) => {
    await realtime.stop();
    throw error;
  });
  return [realtime, graph];
}

function describeFunction(fn: LocalHostFunction): string {
  switch (fn.trigger) {
    case 'http':
      return `${(fn.methods ?? ['ANY']).join(',').padEnd(12)} ${fn.url}${fn.authLevel === 'anonymous' ? '' : `  [${fn.authLevel} key]`}`;
    case 'queue':
      return `${'queue'.padEnd(12)} ${fn.queueName}${fn.poisonQueueName ? ` (poison: ${fn.poisonQueueName})` : ''}`;
    case 'timer':
      return `${'timer'.padEnd(12)} ${fn.schedule} (UTC)${fn.runOnStartup ? ', runOnStartup' : ''}`;
    case 'unsupported':
      return `${'not run'.padEnd(12)} trigger type ${fn.type} is not supported locally`;
  }
}

function printTable(rows: [string, string][], host: LocalHost): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('\nUstad WhatsApp Inbox — local stack');
  for (const [key, value] of rows) console.log(`  ${key.padEnd(width)}  ${value}`);
  console.log(`\nFunctions (${host.functions.length}):`);
  const nameWidth = Math.max(0, ...host.functions.map((f) => f.name.length));
  const order = { http: 0, queue: 1, timer: 2, unsupported: 3 };
  const sorted = [...host.functions].sort((a, b) => order[a.trigger] - order[b.trigger] || (a.trigger === 'http' && b.trigger === 'http' ? a.route.localeCompare(b.route) : 0));
  for (const fn of sorted) console.log(`  ${fn.name.padEnd(nameWidth)}  ${describeFunction(fn)}`);
  console.log('\nCtrl-C stops everything.\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'app-dir': { type: 'string' },
      'azurite-ports': { type: 'string' },
      'azurite-in-memory': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const appDir = path.resolve(values['app-dir'] ?? repositoryRoot);
  const env = process.env;
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch((err: unknown) => console.error(`While stopping: ${(err as Error).message}`));
    stoppers.length = 0;
  };

  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      console.error(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    shuttingDown = true;
    console.log(`\n${signal}: stopping…`);
    void stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Spawned with an IPC channel (tests): a parent that goes away takes the stack with it.
  if (process.connected) {
    process.once('disconnect', () => {
      if (!shuttingDown) onSignal('SIGTERM');
    });
  }

  try {
    const local = loadLocalSettings(appDir, env);
    const dataDir = path.resolve(appDir, env['LOCAL_DATA_DIR'] || '.data');
    // Absolute, so the app and the host agree on it whatever the working directory.
    env['LOCAL_DATA_DIR'] = dataDir;
    const defaults = applyLocalDefaults(env, dataDir);

    const rows: [string, string][] = [];
    let azurite: RunningAzurite | undefined;
    const storage = env['AzureWebJobsStorage'] ?? 'UseDevelopmentStorage=true';
    if (isDevelopmentStorage(storage)) {
      const ports = parsePorts(values['azurite-ports']);
      const azuriteDir = path.join(dataDir, 'azurite');
      azurite =
        ports || values['azurite-in-memory']
          ? await startAzurite({ dataDir: azuriteDir, inMemory: values['azurite-in-memory'] === true, ports })
          : await startOrReuseDevelopmentStorage(azuriteDir);
      stoppers.push(azurite.stop);
      env['AzureWebJobsStorage'] = azurite.connectionString;
      const how = azurite.reused ? 'reused (already running)' : azurite.dataDir ? `started, data in ${azurite.dataDir}` : 'started, in memory';
      rows.push(['Azurite', how], ['', `blob  ${azurite.endpoints.blob}`], ['', `queue ${azurite.endpoints.queue}`], ['', `table ${azurite.endpoints.table}`]);
    } else {
      rows.push(['Storage', 'AzureWebJobsStorage (configured)']);
    }

    if (shuttingDown) return;
    const companions = await startCompanionServices(env, dataDir, defaults.usesWhatsAppSimulator);
    for (const service of companions) {
      stoppers.push(() => service.stop());
      rows.push([service.name, service.where]);
    }

    if (shuttingDown) return;
    const host = await startLocalHost({
      appDir,
      port: parsePort(env['PORT'] || local.localHttpPort),
      settings: env,
      developmentStorage: azurite?.connectionString,
    });
    stoppers.push(host.stop);
    for (const service of companions) await service.useAppBaseUrl?.(host.baseUrl);
    rows.unshift(['HTTP', `${host.baseUrl}  (host key for function/admin routes: ${host.hostKey})`]);
    rows.push(['Data dir', dataDir]);
    rows.push(['Settings', `${local.file ? `${path.basename(local.file)} (${local.applied.length} values)` : 'environment only'}; local defaults: ${defaults.applied.join(', ') || 'none'}`]);
    printTable(rows, host);

    const ready: LocalHostReadyMessage = {
      type: 'ustad-local-host-ready',
      url: host.url,
      baseUrl: host.baseUrl,
      hostKey: host.hostKey,
      azuritePid: azurite?.pid,
      storageConnectionString: azurite?.connectionString,
    };
    process.send?.(ready);
  } catch (err) {
    if (err instanceof DevHostError) console.error(`\nCannot start: ${err.message}`);
    else console.error(`\nCannot start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (err instanceof DevHostError && err.cause instanceof Error && err.cause.stack) {
      console.error(err.cause.stack.split('\n').slice(1, 6).join('\n'));
    }
    await stopAll();
    process.exit(1);
  }
}

void main();
