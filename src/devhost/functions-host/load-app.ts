// Loads a function app the way the Node worker's startApp does: package.json `main` (a glob) from the app
// directory, each entry file in turn, with `@azure/functions-core` provided; then locks registration.
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { activateCoreModule, type AppRegistry } from './core-api';
import { DevHostError } from './dev-host-error';
import { expandEntryPattern } from './expand-entry-pattern';

/** What `loadApp` found: the entry files it loaded and the capabilities the programming model reported. */
export interface LoadedApp {
  readonly entryPoints: readonly string[];
  readonly capabilities: Readonly<Record<string, string>>;
}

interface PackageJson {
  main?: unknown;
  type?: unknown;
}

function readPackageJson(appDir: string): PackageJson {
  const file = path.join(appDir, 'package.json');
  if (!existsSync(file)) throw new DevHostError(`No package.json in ${appDir}: the host finds the app through its "main".`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch (err) {
    throw new DevHostError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Forgets modules from an earlier load of this app and the `@azure/functions` library, so that a second host
 * in the same process (tests) runs the app's registrations again against its own registry.
 */
function forgetEarlierLoad(appDir: string): void {
  const appPrefix = path.resolve(appDir) + path.sep;
  const libraryMarker = `${path.sep}node_modules${path.sep}@azure${path.sep}functions${path.sep}`;
  const nodeModules = `${path.sep}node_modules${path.sep}`;
  const cache = Module.createRequire(path.join(appDir, 'package.json')).cache;
  for (const key of Object.keys(cache)) {
    const inApp = key.startsWith(appPrefix) && !key.slice(appPrefix.length - 1).includes(nodeModules);
    if (inApp || key.includes(libraryMarker)) delete cache[key];
  }
}

function isEsm(file: string, pkg: PackageJson): boolean {
  return file.endsWith('.mjs') || (file.endsWith('.js') && pkg.type === 'module');
}

/**
 * Loads the app in `appDir` into `registry` and locks it. Throws `DevHostError` when the entry cannot be found
 * or throws while loading (the message names the file, as the worker does).
 */
export async function loadApp(appDir: string, registry: AppRegistry): Promise<LoadedApp> {
  const pkg = readPackageJson(appDir);
  if (typeof pkg.main !== 'string' || pkg.main.trim() === '') {
    throw new DevHostError(`${path.join(appDir, 'package.json')} has no "main": set it to the compiled entry (e.g. "dist/src/index.js").`);
  }
  const pattern = pkg.main;
  const files = expandEntryPattern(pattern, appDir);
  if (files.length === 0) {
    const why = /[*?{[]/.test(pattern) ? 'Found zero files matching the supplied pattern' : 'File does not exist';
    throw new DevHostError(`Worker was unable to load entry point "${pattern}": ${why} (in ${appDir}). Did you run the build (npm run build)?`);
  }

  forgetEarlierLoad(appDir);
  activateCoreModule(registry);
  const requireFromApp = Module.createRequire(path.join(appDir, 'package.json'));
  for (const file of files) {
    const absolute = path.join(appDir, file);
    registry.currentEntryPoint = path.basename(absolute);
    try {
      if (isEsm(absolute, pkg)) await import(pathToFileURL(absolute).href);
      else requireFromApp(absolute);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new DevHostError(`Worker was unable to load entry point "${file}": ${message}`, { cause: err });
    } finally {
      registry.currentEntryPoint = undefined;
    }
  }

  if (registry.functions.size > 0 && !registry.programmingModel) {
    throw new DevHostError('Functions were registered but no programming model was set (is "@azure/functions" v4 installed?).');
  }
  // The worker asks the model for capabilities once the app is loaded; this locks `app.setup()` and, with
  // `enableHttpStream`, starts the library's HTTP proxy whose address comes back as `HttpUri`.
  const capabilities = { ...((await registry.programmingModel?.getCapabilities?.({})) ?? {}) };
  registry.locked = true;
  return { entryPoints: files, capabilities };
}
