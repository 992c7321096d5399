// Connection strings (seed ADO.NET form, Entra authentication) to tedious settings.
import { describe, expect, it } from 'vitest';
import { tediousConfigFromConnectionString } from '../../../src/db/mssql-connection';

describe('tediousConfigFromConnectionString', () => {
  it('reads the seed’s ADO.NET form as a SQL login over TLS', () => {
    const { config, pool } = tediousConfigFromConnectionString(
      'Server=tcp:ustad.database.windows.net,1433;Initial Catalog=UstadDb;Persist Security Info=False;User ID=ustad;Password="p;a=ss";MultipleActiveResultSets=False;Encrypt=True;TrustServerCertificate=False;Connection Timeout=30;',
    );
    expect(config.server).toBe('ustad.database.windows.net');
    expect(config.authentication).toEqual({ type: 'default', options: { userName: 'ustad', password: 'p;a=ss' } });
    expect(config.options).toMatchObject({ database: 'UstadDb', port: 1433, encrypt: true, trustServerCertificate: false, connectTimeout: 30_000, useUTC: true });
    expect(pool).toEqual({ min: 0, max: 10 });
  });

  it('accepts Data Source / Database synonyms, a custom port, pool sizes and a database override', () => {
    const { config, pool } = tediousConfigFromConnectionString('Data Source=127.0.0.1,14330;Database=t;User Id=sa;Password=x;TrustServerCertificate=true;Max Pool Size=25', 'other');
    expect(config.server).toBe('127.0.0.1');
    expect(config.options).toMatchObject({ port: 14330, database: 'other', encrypt: true, trustServerCertificate: true });
    expect(pool.max).toBe(25);
  });

  it('connects to a named instance through the browser service, without a port', () => {
    const { config } = tediousConfigFromConnectionString('Server=.\\SQLEXPRESS;Database=db;User Id=u;Password=p;Encrypt=False');
    expect(config.server).toBe('localhost');
    expect(config.options?.instanceName).toBe('SQLEXPRESS');
    expect(config.options?.port).toBeUndefined();
    expect(config.options?.encrypt).toBe(false);
  });

  it('maps Microsoft Entra authentication: Default and Managed Identity, with User Id as the client id', () => {
    const entraDefault = tediousConfigFromConnectionString('Server=tcp:x.database.windows.net,1433;Database=db;Authentication=Active Directory Default;User Id=1111-2222;Encrypt=True');
    expect(entraDefault.config.authentication).toEqual({ type: 'azure-active-directory-default', options: { clientId: '1111-2222' } });
    const systemAssigned = tediousConfigFromConnectionString('Server=tcp:x.database.windows.net;Database=db;Authentication="Active Directory Default"');
    expect(systemAssigned.config.authentication).toEqual({ type: 'azure-active-directory-default', options: {} });
    for (const name of ['Active Directory Managed Identity', 'Active Directory MSI']) {
      const managed = tediousConfigFromConnectionString(`Server=tcp:x.database.windows.net;Database=db;Authentication=${name};User Id=abcd`);
      expect(managed.config.authentication).toEqual({ type: 'azure-active-directory-msi-app-service', options: { clientId: 'abcd' } });
    }
  });

  it('maps a service principal, and says what is missing when the tenant is not given', () => {
    const ok = tediousConfigFromConnectionString('Server=x;Database=db;Authentication=Active Directory Service Principal;User Id=app;Password=secret;Tenant Id=t1');
    expect(ok.config.authentication).toEqual({ type: 'azure-active-directory-service-principal-secret', options: { clientId: 'app', clientSecret: 'secret', tenantId: 't1' } });
    expect(() => tediousConfigFromConnectionString('Server=x;Authentication=Active Directory Service Principal;User Id=app;Password=secret')).toThrow(/Tenant Id/);
  });

  it('refuses a string without a server, without echoing it', () => {
    let message = '';
    try {
      tediousConfigFromConnectionString('Database=db;User Id=u;Password=VerySecret1');
    } catch (error) {
      message = error instanceof Error ? error.message : '';
    }
    expect(message).toMatch(/names no server/);
    expect(message).not.toMatch(/VerySecret1/);
  });
});
