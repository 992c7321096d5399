// Vitest global setup: one in-memory Azurite on free ports for the whole run, handed to test files with
// `provide` (read it with `testStorageConnectionString()` from tests/support/test-storage.ts).
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { startAzurite } from '../../src/devhost/azurite';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the run's Azurite (explicit http endpoints, devstoreaccount1). */
    azuriteConnectionString: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite({ inMemory: true, ports: { blob: 0, queue: 0, table: 0 } });
  project.provide('azuriteConnectionString', azurite.connectionString);
  // The Web PubSub emulator and the Graph simulator for the run start here too (later step).
  return async () => {
    await azurite.stop();
  };
}
