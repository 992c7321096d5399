// Reads the parts of host.json the local host honours: the HTTP route prefix and the storage-queue settings,
// with the defaults of the Functions host (queues: Microsoft.Azure.WebJobs.Extensions.Storage QueuesOptions).
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DevHostError } from './dev-host-error';
import { parseTimeSpan } from './parse-time-span';

/** Queue trigger settings after defaults, durations in milliseconds. */
export interface QueueOptions {
  readonly messageEncoding: 'base64' | 'none';
  readonly batchSize: number;
  readonly newBatchThreshold: number;
  readonly maxDequeueCount: number;
  readonly visibilityTimeoutMs: number;
  readonly maxPollingIntervalMs: number;
}

/** host.json as the local host uses it. */
export interface HostConfig {
  readonly routePrefix: string;
  readonly queues: QueueOptions;
}

/** Core Tools polls idle queues at most every 2 s locally instead of the cloud's 1 minute. */
export const localMaxPollingIntervalMs = 2000;
const minPollingIntervalMs = 100;

const durationSchema = z.union([z.number().nonnegative(), z.string()]);

const HostJsonSchema = z.looseObject({
  version: z.string().optional(),
  extensions: z
    .looseObject({
      http: z.looseObject({ routePrefix: z.string().optional() }).optional(),
      queues: z
        .looseObject({
          messageEncoding: z.string().optional(),
          batchSize: z.number().int().min(1).max(32).optional(),
          newBatchThreshold: z.number().int().min(0).optional(),
          maxDequeueCount: z.number().int().min(1).optional(),
          visibilityTimeout: z.string().optional(),
          maxPollingInterval: durationSchema.optional(),
        })
        .optional(),
    })
    .optional(),
});

function durationMs(value: string | number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  // In Functions 2.x+ a number here is milliseconds; a string is a TimeSpan.
  const ms = typeof value === 'number' ? value : parseTimeSpan(value);
  if (ms === undefined || ms < 0) throw new DevHostError(`host.json extensions.queues.${name} "${value}" is not a duration (use "hh:mm:ss").`);
  return ms;
}

/**
 * Parses host.json content (already read) into `HostConfig`. `processorCount` feeds the default
 * `newBatchThreshold` = (batchSize / 2) × processor count, as the Functions host computes it.
 */
export function parseHostConfig(content: unknown, processorCount = os.availableParallelism()): HostConfig {
  const parsed = HostJsonSchema.safeParse(content ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DevHostError(`host.json: ${issue ? `${issue.path.join('.')} ${issue.message}` : parsed.error.message}`);
  }
  const queues = parsed.data.extensions?.queues ?? {};
  const encoding = (queues.messageEncoding ?? 'base64').toLowerCase();
  if (encoding !== 'base64' && encoding !== 'none') {
    throw new DevHostError(`host.json extensions.queues.messageEncoding "${queues.messageEncoding}" must be "base64" or "none".`);
  }
  const batchSize = queues.batchSize ?? 16;
  const configuredPolling = durationMs(queues.maxPollingInterval, 'maxPollingInterval', localMaxPollingIntervalMs);
  return {
    routePrefix: (parsed.data.extensions?.http?.routePrefix ?? 'api').replace(/^\/+|\/+$/g, ''),
    queues: {
      messageEncoding: encoding,
      batchSize,
      newBatchThreshold: queues.newBatchThreshold ?? Math.floor(batchSize / 2) * processorCount,
      maxDequeueCount: queues.maxDequeueCount ?? 5,
      visibilityTimeoutMs: durationMs(queues.visibilityTimeout, 'visibilityTimeout', 0),
      maxPollingIntervalMs: Math.max(minPollingIntervalMs, Math.min(configuredPolling, localMaxPollingIntervalMs)),
    },
  };
}

/** Reads `<appDir>/host.json` (absent → defaults) unless `override` gives its content. */
export function readHostConfig(appDir: string, override?: unknown): HostConfig {
  if (override !== undefined) return parseHostConfig(override);
  const file = path.join(appDir, 'host.json');
  if (!existsSync(file)) return parseHostConfig({});
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DevHostError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseHostConfig(content);
}
