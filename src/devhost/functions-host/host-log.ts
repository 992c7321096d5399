// Log lines of the local Functions host: one shape for system and user logs, printed to the console by default.
import type { RpcLogCategory, RpcLogLevel } from './core-types';

/** One log record; `functionName`/`invocationId` are set for logs written during an invocation. */
export interface HostLogEntry {
  level: RpcLogLevel;
  category: RpcLogCategory;
  message: string;
  functionName?: string;
  invocationId?: string;
}

/** Receives every log of the host and of the app it runs. */
export type HostLogger = (entry: HostLogEntry) => void;

const rank: Record<RpcLogLevel, number> = { trace: 0, debug: 1, information: 2, warning: 3, error: 4, critical: 5, none: 6 };

/**
 * Information lines, written together once per turn of the event loop. The host logs every invocation, and stdout to
 * a pipe or terminal is a synchronous write: one system call per request at a thousand webhooks a second, on the
 * thread every request passes through. Same lines, same order; flushed at exit too.
 */
const pendingLines: string[] = [];
let flushScheduled = false;
function flushLines(): void {
  flushScheduled = false;
  if (pendingLines.length === 0) return;
  process.stdout.write(`${pendingLines.join('\n')}\n`);
  pendingLines.length = 0;
}
process.on('exit', flushLines);

function writeLine(line: string): void {
  pendingLines.push(line);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushLines);
  }
}

/**
 * Console logger: information and above (debug too when `DEVHOST_DEBUG` is set), warnings and errors to stderr.
 */
export function createConsoleLogger(minimum: RpcLogLevel = process.env['DEVHOST_DEBUG'] ? 'trace' : 'information'): HostLogger {
  return (entry) => {
    if (rank[entry.level] < rank[minimum] || entry.level === 'none') return;
    const time = new Date().toISOString().slice(11, 23);
    const where = entry.functionName ? ` ${entry.functionName}` : '';
    const line = `[${time}]${where} ${entry.message}`;
    if (rank[entry.level] >= rank.warning) {
      flushLines();
      console.error(line);
    } else writeLine(line);
  };
}
