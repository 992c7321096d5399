// Reads a local setting the way the dev host provides it: environment, then local.settings.json Values, then .data/local-secrets.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readJsonObject(file: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The value of an Azure-style setting (`WhatsApp__AppSecret`) for a process started in `cwd`: the environment wins,
 * then `local.settings.json` `Values`, then the secrets the dev host generated in `.data/local-secrets.json`.
 */
export function readLocalSetting(name: string, cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env[name];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const values = readJsonObject(join(cwd, 'local.settings.json'))?.Values;
  if (typeof values === 'object' && values !== null) {
    const value = (values as Record<string, unknown>)[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  const secret = readJsonObject(join(cwd, '.data', 'local-secrets.json'))?.[name];
  return typeof secret === 'string' && secret !== '' ? secret : undefined;
}
