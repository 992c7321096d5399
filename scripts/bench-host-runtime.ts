// The Node.js runtimes bench:webhook runs the local host on: production's (the major version infra/main.bicep deploys,
// fetched from the npm registry as `.ci/run` fetches it) and this machine's. Both are measured because they differ where
// the target is tight: on Node 20 the web streams of every invocation outlive young-generation GCs, and the app thread's
// full GCs come more often and pause longer (at 1,000 webhooks/s here: 5 per 30 s, longest 44–54 ms; Node 22: 3–4,
// longest 23–41 ms).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** How to start the local host on one runtime. */
export interface HostRuntime {
  /** For the report: the version, and whose runtime it is. */
  readonly label: string;
  /** The `node` binary. */
  readonly node: string;
  /** The host's entry (`dist/src/devhost/start.js`) in an app folder whose native modules suit that binary. */
  readonly start: string;
}

const repositoryRoot = path.resolve(__dirname, '..', '..');

/** This machine's Node.js, on the repository's own build. */
export function machineRuntime(): HostRuntime {
  return { label: `Node ${process.version} (this machine's)`, node: process.execPath, start: path.join(repositoryRoot, 'dist', 'src', 'devhost', 'start.js') };
}

/** The Node.js major version the Bicep template deploys (`runtime: { name: 'node', version: 'NN' }`). */
export function productionNodeMajor(): number {
  const bicep = readFileSync(path.join(repositoryRoot, 'infra', 'main.bicep'), 'utf8');
  const match = /runtime:\s*\{\s*name:\s*'node'\s*version:\s*'(\d+)'/.exec(bicep);
  if (!match) throw new Error("infra/main.bicep has no runtime { name: 'node' version: 'NN' } block");
  return Number(match[1]);
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  execFileSync(command, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Production's runtime, ready to run the host: Node.js `major` from the npm registry (package `node-<platform>-<arch>`),
 * and an app folder under node_modules/.cache holding a copy of the build, the repository's packages (linked) and
 * better-sqlite3 compiled for that Node.js (its ABI differs from the machine's). The first run downloads and compiles
 * (about 1.5 minutes here); later runs only copy the build. Throws when the registry or the compiler is not there.
 */
export function productionRuntime(major: number, log: (line: string) => void): HostRuntime {
  const cache = path.join(repositoryRoot, 'node_modules', '.cache', 'bench-webhook', `node${major}-${process.platform}-${process.arch}`);
  const nodeHome = path.join(cache, 'node', 'node_modules', `node-${process.platform}-${process.arch}`);
  const node = path.join(nodeHome, 'bin', 'node');
  if (!existsSync(node)) {
    log(`fetching Node.js ${major} from the npm registry (once)…`);
    run('npm', ['install', '--prefix', path.join(cache, 'node'), '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-${process.platform}-${process.arch}@${major}`]);
  }
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();

  const app = path.join(cache, 'app');
  const modules = path.join(app, 'node_modules');
  mkdirSync(modules, { recursive: true });
  const repositoryModules = path.join(repositoryRoot, 'node_modules');
  for (const name of readdirSync(repositoryModules)) {
    if (name === 'better-sqlite3' || name === '.cache' || existsSync(path.join(modules, name))) continue;
    symlinkSync(path.join(repositoryModules, name), path.join(modules, name));
  }
  const sqlite = path.join(modules, 'better-sqlite3');
  const sqliteVersion = (JSON.parse(readFileSync(path.join(repositoryModules, 'better-sqlite3', 'package.json'), 'utf8')) as { version: string }).version;
  const builtFor = path.join(sqlite, 'built-for');
  if (!existsSync(builtFor) || readFileSync(builtFor, 'utf8') !== `${sqliteVersion} ${version}`) {
    log(`compiling better-sqlite3 ${sqliteVersion} for Node.js ${version} (once)…`);
    rmSync(sqlite, { recursive: true, force: true });
    mkdirSync(sqlite);
    for (const part of ['package.json', 'binding.gyp', 'deps', 'lib', 'src']) cpSync(path.join(repositoryModules, 'better-sqlite3', part), path.join(sqlite, part), { recursive: true });
    // npm runs node-gyp on whichever `node` is first on PATH; --nodedir takes the headers from the fetched package.
    run('npm', ['run', 'build-release', `--nodedir=${nodeHome}`], { cwd: sqlite, env: { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env['PATH'] ?? ''}` } });
    writeFileSync(builtFor, `${sqliteVersion} ${version}`);
  }

  // A fresh copy of this build each run, so the host runs exactly the code under test.
  rmSync(path.join(app, 'dist'), { recursive: true, force: true });
  cpSync(path.join(repositoryRoot, 'dist'), path.join(app, 'dist'), { recursive: true });
  for (const file of ['package.json', 'host.json']) cpSync(path.join(repositoryRoot, file), path.join(app, file));
  return { label: `Node ${version} (production's, infra/main.bicep)`, node, start: path.join(app, 'dist', 'src', 'devhost', 'start.js') };
}
