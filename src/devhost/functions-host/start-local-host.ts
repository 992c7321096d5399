// The local Functions host as a library: loads an app through `@azure/functions-core`, runs appStart hooks,
// serves its HTTP functions and runs its queue and timer triggers; `stop()` undoes all of it.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createAppRegistry, type RegisteredFunction } from './core-api';
import type { RpcBindingInfo } from './core-types';
import { DevHostError } from './dev-host-error';
import { readHostConfig } from './host-config';
import { createConsoleLogger, type HostLogger } from './host-log';
import { closeServer } from './close-server';
import { canServeOnThread, startHttpFrontEnd, type HttpFrontEnd } from './http-front-thread';
import { assertNoRouteConflicts, createHttpHost, describeHttpRoute, maxRequestBodyBytes, sortHttpRoutes, type HttpHost, type HttpRoute } from './http-host';
import { runAppStartHooks, runAppTerminateHooks } from './invoke-function';
import { loadApp } from './load-app';
import { unsupportedOutputBindings, type OutputBindingContext } from './output-bindings';
import { QueueClients } from './queue-clients';
import { startQueueListener, type QueueListener } from './queue-listener';
import { isValidQueueName, poisonQueueNameFor } from './queue-message-encoding';
import { resolveAppSettingExpression, resolveStorageConnection, type AppSettings } from './storage-connection';
import { parseTimerSchedule, startTimerListener, type TimerListener, type TimerSchedule } from './timer-listener';

/** Options of `startLocalHost`. */
export interface LocalHostOptions {
  /** Directory with the app's package.json (`main`) and host.json. */
  readonly appDir: string;
  /** HTTP port; 0 picks a free one. Default 7071. */
  readonly port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  readonly hostname?: string;
  /** App settings (binding `connection` names, `%name%` expressions, FUNCTIONS_HOST_KEY). Default process.env. */
  readonly settings?: AppSettings;
  /** Key for authLevel function/admin routes. Default: setting FUNCTIONS_HOST_KEY, else random per start. */
  readonly hostKey?: string;
  /** Replaces the content of `<appDir>/host.json` (tests use it to vary queue settings). */
  readonly hostJson?: unknown;
  /** Connection string that settings saying `UseDevelopmentStorage=true` stand for (default: Azurite's default ports). */
  readonly developmentStorage?: string;
  /** Run only these functions' triggers, like `func start --functions`. */
  readonly functions?: readonly string[];
  readonly logger?: HostLogger;
}

/** A function as the host runs it (for the start-up table and for tests). */
export type LocalHostFunction =
  | { readonly name: string; readonly trigger: 'http'; readonly route: string; readonly methods: readonly string[] | undefined; readonly authLevel: string; readonly url: string }
  | { readonly name: string; readonly trigger: 'queue'; readonly queueName: string; readonly poisonQueueName: string | undefined }
  | { readonly name: string; readonly trigger: 'timer'; readonly schedule: string; readonly runOnStartup: boolean }
  | { readonly name: string; readonly trigger: 'unsupported'; readonly type: string };

/** A running host. */
export interface LocalHost {
  /** `http://<hostname>:<port>` */
  readonly url: string;
  /** `url` plus the route prefix (`/api`). */
  readonly baseUrl: string;
  readonly port: number;
  readonly hostKey: string;
  readonly functions: readonly LocalHostFunction[];
  /** Entry files loaded from package.json `main`. */
  readonly entryPoints: readonly string[];
  /** True when a thread of its own owns the sockets (compiled host, buffered HTTP); else the app's thread does. */
  readonly httpThread: boolean;
  /** Stops HTTP, queue listeners and timers (waiting for work in flight), then runs appTerminate hooks. */
  stop(): Promise<void>;
}

interface QueuePlan {
  fn: RegisteredFunction;
  triggerBindingName: string;
  queueName: string;
  connection: string;
}

interface TimerPlan {
  fn: RegisteredFunction;
  triggerBindingName: string;
  schedule: TimerSchedule;
  scheduleText: string;
  runOnStartup: boolean;
}

function triggerOf(fn: RegisteredFunction): [string, RpcBindingInfo] | undefined {
  return Object.entries(fn.metadata.bindings).find(([, b]) => b.direction === 'in' && /trigger$/i.test(String(b.type ?? '')));
}

/** The host's message for a port it cannot listen on. */
function listenFailure(err: Error & { code?: string | undefined }, port: number, hostname: string): Error {
  if (err.code === 'EADDRINUSE') return new DevHostError(`Port ${port} on ${hostname} is already in use. Stop whatever uses it or set PORT to another port.`);
  if (err.code === 'EACCES') return new DevHostError(`Not allowed to listen on port ${port} (${hostname}); choose a port above 1024 with PORT.`);
  return err;
}

function listen(server: http.Server, port: number, hostname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenFailure(err, port, hostname));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, hostname);
  });
}

/** Kestrel's default KeepAliveTimeout. */
const KEEP_ALIVE_TIMEOUT_MS = 130_000;

/** Where requests come in: a server on this thread, or the front-end thread. `stop` resolves once every connection ended. */
interface HttpListener {
  start(): Promise<number>;
  stop(): Promise<void>;
}

function listenOnThisThread(httpHost: HttpHost, port: number, hostname: string): HttpListener {
  const server = http.createServer((req, res) => httpHost.handle(req, res));
  // Idle keep-alive connections last as on Kestrel, under the Functions host (130 s), not Node's 5 s: a client that sends
  // on a connection the server is closing at that moment gets ECONNRESET (seen by bench:webhook between load phases).
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return { start: () => listen(server, port, hostname), stop: () => closeServer(server) };
}

function listenOnFrontThread(httpHost: HttpHost, port: number, hostname: string): HttpListener {
  let frontEnd: HttpFrontEnd | undefined;
  return {
    async start() {
      try {
        frontEnd = await startHttpFrontEnd({ port, hostname, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS, maxBodyBytes: maxRequestBodyBytes }, httpHost.answer);
      } catch (err) {
        throw err instanceof Error ? listenFailure(err, port, hostname) : err;
      }
      return frontEnd.port;
    },
    stop: async () => frontEnd?.close(),
  };
}

/**
 * Starts the local host for the app in `options.appDir`. Throws `DevHostError` for configuration problems
 * (bad host.json, route, schedule, queue name, missing connection, port in use, app failing to load).
 */
export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const appDir = path.resolve(options.appDir);
  const settings = options.settings ?? process.env;
  const log = options.logger ?? createConsoleLogger();
  const hostKey = options.hostKey ?? settings['FUNCTIONS_HOST_KEY'] ?? randomBytes(32).toString('base64url');
  const hostname = options.hostname ?? '127.0.0.1';
  const config = readHostConfig(appDir, options.hostJson);
  const registry = createAppRegistry(log);
  const loaded = await loadApp(appDir, registry);

  const selected = options.functions ? new Set(options.functions) : undefined;
  if (selected) {
    for (const name of selected) {
      if (![...registry.functions.values()].some((fn) => fn.name === name)) throw new DevHostError(`No function named "${name}" is registered.`);
    }
  }

  const httpRoutes: HttpRoute[] = [];
  const queuePlans: QueuePlan[] = [];
  const timerPlans: TimerPlan[] = [];
  const unsupported: LocalHostFunction[] = [];
  for (const fn of registry.functions.values()) {
    if (selected && !selected.has(fn.name)) continue;
    const trigger = triggerOf(fn);
    const type = String(trigger?.[1].type ?? '').toLowerCase();
    for (const output of unsupportedOutputBindings(fn)) {
      log({ level: 'warning', category: 'system', functionName: fn.name, message: `Output binding type "${output}" is not carried out by the local host; its value is dropped.` });
    }
    if (!trigger) {
      unsupported.push({ name: fn.name, trigger: 'unsupported', type: 'none' });
    } else if (type === 'httptrigger') {
      const route = describeHttpRoute(fn, trigger[0], trigger[1]);
      for (const constraint of route.template.unknownConstraints) {
        log({ level: 'warning', category: 'system', functionName: fn.name, message: `Route constraint "${constraint}" is unknown to the local host and is not checked.` });
      }
      httpRoutes.push(route);
    } else if (type === 'queuetrigger') {
      const binding = trigger[1];
      const queueName = resolveAppSettingExpression(String(binding['queueName'] ?? ''), settings, `Queue trigger ${fn.name}`).toLowerCase();
      if (!isValidQueueName(queueName)) throw new DevHostError(`Queue trigger ${fn.name}: "${queueName}" is not a valid queue name.`);
      const connection = resolveStorageConnection(binding['connection'] as string | undefined, settings, options.developmentStorage);
      queuePlans.push({ fn, triggerBindingName: trigger[0], queueName, connection });
    } else if (type === 'timertrigger') {
      const binding = trigger[1];
      const scheduleText = resolveAppSettingExpression(String(binding['schedule'] ?? ''), settings, `Timer ${fn.name}`);
      timerPlans.push({
        fn,
        triggerBindingName: trigger[0],
        schedule: parseTimerSchedule(scheduleText, fn.name),
        scheduleText,
        runOnStartup: binding['runOnStartup'] === true,
      });
    } else {
      log({ level: 'warning', category: 'system', functionName: fn.name, message: `Trigger type "${String(trigger[1].type)}" is not supported by the local host; the function will not run.` });
      unsupported.push({ name: fn.name, trigger: 'unsupported', type: String(trigger[1].type) });
    }
  }
  assertNoRouteConflicts(httpRoutes);
  const routes = sortHttpRoutes(httpRoutes);

  const clients = new QueueClients();
  const outputs: OutputBindingContext = { clients, settings, developmentStorage: options.developmentStorage, messageEncoding: config.queues.messageEncoding };
  const httpHost = createHttpHost({ registry, routes, routePrefix: config.routePrefix, hostKey, outputs, log, streamUri: loaded.capabilities['HttpUri'] });
  const requestedPort = options.port ?? 7071;
  // Streamed requests are piped to the app's own HTTP proxy, so they stay on this thread with their sockets.
  const httpThread = canServeOnThread && !loaded.capabilities['HttpUri'];
  const listener = httpThread ? listenOnFrontThread(httpHost, requestedPort, hostname) : listenOnThisThread(httpHost, requestedPort, hostname);
  const queueListeners: QueueListener[] = [];
  const timers: TimerListener[] = [];

  let appStarted = false;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await listener.stop();
      await httpHost.drain();
      httpHost.close();
      await Promise.allSettled(queueListeners.map((l) => l.stop()));
      await Promise.allSettled(timers.map((t) => t.stop()));
      if (!appStarted) return;
      await runAppTerminateHooks(registry).catch((err: unknown) => {
        log({ level: 'error', category: 'system', message: `appTerminate hook failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` });
      });
    })();
    return stopping;
  };

  let port: number;
  try {
    await runAppStartHooks(registry, appDir).catch((err: unknown) => {
      throw new DevHostError(`An appStart hook failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
    appStarted = true;
    port = await listener.start();
    for (const plan of queuePlans) {
      const queue = clients.get(plan.connection, plan.queueName);
      const poisonName = poisonQueueNameFor(plan.queueName);
      const listener = await startQueueListener({
        registry,
        fn: plan.fn,
        triggerBindingName: plan.triggerBindingName,
        queue,
        poisonQueue: poisonName ? clients.get(plan.connection, poisonName) : undefined,
        options: config.queues,
        clients,
        outputs,
        log,
      }).catch((err: unknown) => {
        throw new DevHostError(`Queue trigger ${plan.fn.name}: cannot reach queue "${plan.queueName}": ${(err as Error).message}`, { cause: err });
      });
      queueListeners.push(listener);
    }
    for (const plan of timerPlans) {
      timers.push(startTimerListener({ registry, fn: plan.fn, triggerBindingName: plan.triggerBindingName, schedule: plan.schedule, runOnStartup: plan.runOnStartup, outputs, log }));
    }
  } catch (err) {
    await stop();
    throw err;
  }

  const url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
  const baseUrl = config.routePrefix === '' ? url : `${url}/${config.routePrefix}`;
  const functions: LocalHostFunction[] = [
    ...routes.map((r): LocalHostFunction => ({ name: r.fn.name, trigger: 'http', route: r.route, methods: r.methods, authLevel: r.authLevel, url: `${baseUrl}/${r.route.replace(/^\/+/, '')}` })),
    ...queuePlans.map((p): LocalHostFunction => ({ name: p.fn.name, trigger: 'queue', queueName: p.queueName, poisonQueueName: poisonQueueNameFor(p.queueName) })),
    ...timerPlans.map((p): LocalHostFunction => ({ name: p.fn.name, trigger: 'timer', schedule: p.scheduleText, runOnStartup: p.runOnStartup })),
    ...unsupported,
  ];
  return { url, baseUrl, port, hostKey, functions, entryPoints: loaded.entryPoints, httpThread, stop };
}
