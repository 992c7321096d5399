// Output bindings the local host carries out after a successful invocation: storage queues (`output.storageQueue`,
// encoded per host.json like the real extension). Other output types are reported once at start and ignored.
import type { RegisteredFunction } from './core-api';
import type { RpcBindingInfo, RpcInvocationResponse, RpcTypedData } from './core-types';
import type { QueueClients } from './queue-clients';
import { encodeQueueMessage } from './queue-message-encoding';
import { resolveAppSettingExpression, resolveStorageConnection, type AppSettings } from './storage-connection';
import { typedDataToMessages } from './rpc-typed-data';

/** What delivering outputs needs from the host. */
export interface OutputBindingContext {
  readonly clients: QueueClients;
  readonly settings: AppSettings;
  readonly developmentStorage: string | undefined;
  readonly messageEncoding: 'base64' | 'none';
}

const returnBindingName = '$return';

function outputBindings(fn: RegisteredFunction): [string, RpcBindingInfo][] {
  return Object.entries(fn.metadata.bindings).filter(([, b]) => b.direction === 'out');
}

/** Output binding types of `fn` this host does not carry out (everything but http and queue). */
export function unsupportedOutputBindings(fn: RegisteredFunction): string[] {
  return outputBindings(fn)
    .map(([, b]) => String(b.type ?? ''))
    .filter((type) => !['http', 'queue'].includes(type.toLowerCase()));
}

/** Value of output binding `name` in an invocation response. */
export function outputValue(response: RpcInvocationResponse, name: string): RpcTypedData | null | undefined {
  if (name === returnBindingName) return response.returnValue;
  return response.outputData?.find((o) => o.name === name)?.data;
}

/** Sends every storage-queue output value of `response` (creating queues as needed). */
export async function deliverOutputBindings(ctx: OutputBindingContext, fn: RegisteredFunction, response: RpcInvocationResponse): Promise<void> {
  for (const [name, binding] of outputBindings(fn)) {
    if (String(binding.type).toLowerCase() !== 'queue') continue;
    const messages = typedDataToMessages(outputValue(response, name));
    if (messages.length === 0) continue;
    const queueName = resolveAppSettingExpression(String(binding['queueName'] ?? ''), ctx.settings, `Output binding "${name}" of ${fn.name}`).toLowerCase();
    const connection = resolveStorageConnection(binding['connection'] as string | undefined, ctx.settings, ctx.developmentStorage);
    const queue = ctx.clients.get(connection, queueName);
    await ctx.clients.ensureExists(queue);
    for (const message of messages) await queue.sendMessage(encodeQueueMessage(message, ctx.messageEncoding));
    ctx.clients.notifyEnqueued(queue);
  }
}
