// Azure Storage clients (queues, tables, blobs), from a connection string or from the app's managed identity.
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import type { StorageConfig } from '../config';

export interface StorageClients {
  readonly queues: QueueServiceClient;
  readonly tables: TableServiceClient;
  readonly blobs: BlobServiceClient;
  /** A client for one table; the table is created on first use by the caller. */
  table(name: string): TableClient;
}

/**
 * Azurite and other http endpoints need `allowInsecureConnection` for Data Tables (AZURE.md §2c);
 * Azure itself is always https, so the flag changes nothing there. With identity-based settings
 * (`AzureWebJobsStorage__*ServiceUri`, as the Functions host reads them) the app's managed identity is used.
 */
export function createStorageClients(storage: StorageConfig): StorageClients {
  if (storage.kind === 'identity') {
    const credential: TokenCredential = storage.clientId ? new ManagedIdentityCredential({ clientId: storage.clientId }) : new DefaultAzureCredential();
    const tableUri = storage.tableServiceUri.replace(/\/+$/, '');
    return {
      queues: new QueueServiceClient(storage.queueServiceUri, credential),
      tables: new TableServiceClient(tableUri, credential),
      blobs: new BlobServiceClient(storage.blobServiceUri, credential),
      table: (name) => new TableClient(tableUri, name, credential),
    };
  }
  const { connectionString } = storage;
  const insecure = { allowInsecureConnection: isHttpStorage(connectionString) };
  return {
    queues: QueueServiceClient.fromConnectionString(connectionString),
    tables: TableServiceClient.fromConnectionString(connectionString, insecure),
    blobs: BlobServiceClient.fromConnectionString(connectionString),
    table: (name) => TableClient.fromConnectionString(connectionString, name, insecure),
  };
}

function isHttpStorage(connectionString: string): boolean {
  return /UseDevelopmentStorage=true/i.test(connectionString) || /DefaultEndpointsProtocol=http;/i.test(connectionString) || /Endpoint=http:\/\//i.test(connectionString);
}
