// The storage the test run shares: the Azurite started by tests/support/global-setup.ts.
import { inject } from 'vitest';

/** Connection string of the test run's Azurite (Blob, Queue, Table on free ports, in memory). */
export function testStorageConnectionString(): string {
  return inject('azuriteConnectionString');
}
