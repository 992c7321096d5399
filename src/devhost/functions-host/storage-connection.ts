// Resolves a binding's `connection` (an app-setting name) to a storage connection string, as the Functions host
// does, including `UseDevelopmentStorage=true` (Azurite's well-known account) and `%setting%` binding expressions.
import { DevHostError } from './dev-host-error';

/** The storage emulator's fixed account (documented by Microsoft; not a secret). */
export const developmentStorageAccount = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
} as const;

/** Ports `UseDevelopmentStorage=true` stands for. */
export const developmentStoragePorts = { blob: 10000, queue: 10001, table: 10002 } as const;

/** App settings as the host sees them (process.env by default). */
export type AppSettings = Readonly<Record<string, string | undefined>>;

/** Explicit connection string for an Azurite account on `host` with the given ports. */
export function developmentStorageConnectionString(
  ports: { blob: number; queue: number; table: number } = developmentStoragePorts,
  host = '127.0.0.1',
): string {
  const base = (port: number) => `http://${host}:${port}/${developmentStorageAccount.name}`;
  return (
    `DefaultEndpointsProtocol=http;AccountName=${developmentStorageAccount.name};AccountKey=${developmentStorageAccount.key};` +
    `BlobEndpoint=${base(ports.blob)};QueueEndpoint=${base(ports.queue)};TableEndpoint=${base(ports.table)};`
  );
}

/** True for `UseDevelopmentStorage=true` (any case, optional spaces and trailing `;`). */
export function isDevelopmentStorage(value: string | undefined): boolean {
  return value !== undefined && /^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(value);
}

/** Replaces `%name%` with app setting `name`, as the host resolves binding expressions; throws when unset. */
export function resolveAppSettingExpression(value: string, settings: AppSettings, what: string): string {
  return value.replace(/%([^%]+)%/g, (_match, name: string) => {
    const resolved = settings[name];
    if (resolved === undefined) throw new DevHostError(`${what} uses %${name}%, but app setting "${name}" is not set.`);
    return resolved;
  });
}

/**
 * Connection string for binding connection `name` (default `AzureWebJobsStorage`). Looks up `name`, then
 * `AzureWebJobs<name>`, as the host does. `developmentStorage` replaces `UseDevelopmentStorage=true`.
 */
export function resolveStorageConnection(
  name: string | undefined,
  settings: AppSettings,
  developmentStorage: string = developmentStorageConnectionString(),
): string {
  const settingName = name && name.trim() !== '' ? name : 'AzureWebJobsStorage';
  const value = settings[settingName] ?? settings[`AzureWebJobs${settingName}`];
  if (value === undefined || value.trim() === '') {
    const identityBased = Object.keys(settings).some((key) => key.startsWith(`${settingName}__`));
    throw new DevHostError(
      identityBased
        ? `Storage connection "${settingName}" is identity-based (${settingName}__…); the local host needs a connection string in "${settingName}".`
        : `App setting "${settingName}" (a storage connection) is not set; use "UseDevelopmentStorage=true" for Azurite.`,
    );
  }
  return isDevelopmentStorage(value) ? developmentStorage : value;
}
