// SQL Server connection strings (ADO.NET form, SQL or Microsoft Entra authentication) turned into tedious's connection settings.
import { ConnectionPool } from 'mssql';
import type { ConnectionAuthentication, ConnectionConfiguration } from 'tedious';

/** What mssql's parser returns (its typings omit the authentication fields). */
interface ParsedConnectionString {
  server?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  domain?: string;
  connectionTimeout?: number;
  requestTimeout?: number;
  authentication_type?: string;
  clientId?: string;
  clientSecret?: string;
  tenantId?: string;
  token?: string;
  options: {
    encrypt?: boolean;
    trustServerCertificate?: boolean;
    instanceName?: string;
    readOnlyIntent?: boolean;
    multiSubnetFailover?: boolean;
    packetSize?: number;
  };
  pool: { max?: number; min?: number };
}

/**
 * mssql's own parser (quoting, `Server=tcp:host,port`, `Data Source`/`Initial Catalog` synonyms, named
 * instances), taught the `Authentication=` values Microsoft.Data.SqlClient documents that mssql 12 maps
 * to SQL logins: `Active Directory Default`, `Active Directory Managed Identity` (alias `MSI`) and
 * `Active Directory Service Principal`. mssql calls this hook with the raw value while parsing.
 */
class EntraAwareParser extends ConnectionPool {
  static _parseAuthenticationType(type: string | undefined, entries: string[]): string {
    switch (type?.trim().toLowerCase()) {
      case 'active directory default':
        return 'azure-active-directory-default';
      case 'active directory managed identity':
      case 'active directory msi':
        return 'azure-active-directory-msi-app-service';
      case 'active directory service principal':
        return 'azure-active-directory-service-principal-secret';
      default: {
        const parent = ConnectionPool as unknown as { _parseAuthenticationType(type: string | undefined, entries: string[]): string };
        return parent._parseAuthenticationType(type, entries);
      }
    }
  }
}

/** The database connection pool size: `Max Pool Size` / `Min Pool Size` from the connection string, else 10 / 0. */
export interface PoolSize {
  readonly min: number;
  readonly max: number;
}

function authenticationOf(parsed: ParsedConnectionString): ConnectionAuthentication {
  // Entra identities: `User Id` names the client id of a user-assigned managed identity or app, as in SqlClient.
  const clientId = parsed.clientId ?? parsed.user;
  const type = parsed.domain !== undefined ? 'ntlm' : (parsed.authentication_type ?? 'default');
  switch (type) {
    case 'azure-active-directory-default':
    case 'azure-active-directory-msi-app-service':
    case 'azure-active-directory-msi-vm':
      return { type, options: clientId === undefined ? {} : { clientId } };
    case 'azure-active-directory-service-principal-secret': {
      const clientSecret = parsed.clientSecret ?? parsed.password;
      if (clientId === undefined || clientSecret === undefined || parsed.tenantId === undefined) {
        throw new Error('Authentication=Active Directory Service Principal needs User Id (client id), Password (client secret) and Tenant Id');
      }
      return { type, options: { clientId, clientSecret, tenantId: parsed.tenantId } };
    }
    case 'azure-active-directory-password':
      if (parsed.clientId === undefined) throw new Error('Authentication=Active Directory Password needs Client Id (the app registration to sign in through)');
      return { type, options: { userName: parsed.user ?? '', password: parsed.password ?? '', clientId: parsed.clientId, tenantId: parsed.tenantId ?? 'common' } };
    case 'azure-active-directory-access-token':
      return { type, options: { token: parsed.token ?? '' } };
    case 'ntlm':
      return { type, options: { userName: parsed.user ?? '', password: parsed.password ?? '', domain: parsed.domain ?? '' } };
    default:
      return { type: 'default', options: { userName: parsed.user, password: parsed.password } };
  }
}

/**
 * tedious settings for a connection string such as the seed's
 * `Server=tcp:x.database.windows.net,1433;Database=Ustad;User Id=…;Password=…;Encrypt=True;` or
 * `Server=tcp:x.database.windows.net;Database=Ustad;Authentication=Active Directory Default;User Id=<client id>`.
 * Encryption is on unless the string says `Encrypt=False`; times are always exchanged in UTC (`useUTC`),
 * which the app's time handling relies on. `database` replaces the string's database (tests use it).
 * Throws, without echoing the string (it may hold a password), when it cannot be parsed.
 */
export function tediousConfigFromConnectionString(connectionString: string, database?: string): { config: ConnectionConfiguration; pool: PoolSize } {
  let parsed: ParsedConnectionString;
  try {
    parsed = EntraAwareParser.parseConnectionString(connectionString) as unknown as ParsedConnectionString;
  } catch (error) {
    throw new Error(`The SQL Server connection string cannot be parsed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!parsed.server) throw new Error('The SQL Server connection string names no server (Server=… or Data Source=…)');
  const { options } = parsed;
  const config: ConnectionConfiguration = {
    server: parsed.server,
    authentication: authenticationOf(parsed),
    options: {
      database: database ?? parsed.database,
      ...(options.instanceName ? { instanceName: options.instanceName } : { port: parsed.port ?? 1433 }),
      encrypt: options.encrypt ?? true,
      trustServerCertificate: options.trustServerCertificate ?? false,
      connectTimeout: parsed.connectionTimeout ?? 15_000,
      requestTimeout: parsed.requestTimeout ?? 30_000,
      ...(options.readOnlyIntent !== undefined ? { readOnlyIntent: options.readOnlyIntent } : {}),
      ...(options.multiSubnetFailover !== undefined ? { multiSubnetFailover: options.multiSubnetFailover } : {}),
      ...(options.packetSize !== undefined ? { packetSize: options.packetSize } : {}),
      useUTC: true,
      appName: 'ustad-whatsapp-inbox',
    },
  };
  return { config, pool: { min: parsed.pool.min ?? 0, max: parsed.pool.max ?? 10 } };
}
