// The app's version, from package.json, for health and logs.
import { readFileSync } from 'node:fs';
import path from 'node:path';

function readVersion(): string {
  // Compiled code runs from dist/src/shared, sources from src/shared (tests): walk up to the package root.
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const parsed = JSON.parse(readFileSync(path.join(__dirname, up), 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'ustad-whatsapp-inbox' && parsed.version) return parsed.version;
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}

export const appVersion = readVersion();
