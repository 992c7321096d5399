import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settingNames } from '../../src/config';
import { readFileSync } from 'node:fs';

const goodKey = 'k'.repeat(48);
const base = { Jwt__Key: goodKey };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('settings', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(7071);
    expect(config.database).toEqual({ kind: 'sqlite', path: expect.stringMatching(/\.data[/\\]inbox\.db$/) });
    expect(config.storage).toEqual({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
    expect(config.webPubSub).toEqual({ connectionString: undefined, hub: 'inbox' });
    expect(config.jwt).toMatchObject({ issuer: 'ustad-whatsapp', audience: 'ustad-whatsapp-clients', sessionMinutes: 480 });
    expect(config.whatsApp.graphBaseUrl).toBe('https://graph.facebook.com');
    expect(Number(config.whatsApp.graphApiVersion.slice(1).split('.')[0])).toBeGreaterThanOrEqual(20);
    expect(config.security).toMatchObject({ maxFailedLoginAttempts: 5, lockoutMinutes: 15, passwordResetTokenExpiryHours: 1, accessTokenMinutes: 15 });
    expect(config.bootstrap).toEqual({ firmId: 1, adminUserName: 'admin', adminPassword: undefined });
    expect(config.email.connectionString).toBeUndefined();
    expect(config.sms.netGsm).toBeUndefined();
  });

  it('is frozen all the way down', () => {
    const config = loadConfig(base);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.security)).toBe(true);
    expect(() => {
      (config.security as { lockoutMinutes: number }).lockoutMinutes = 0;
    }).toThrow(TypeError);
  });

  it('chooses SQL Server when a connection string is present', () => {
    const config = loadConfig({ ...base, ConnectionStrings__DefaultConnection: 'Server=tcp:db,1433;Database=Ustad;User Id=u;Password=p;' });
    expect(config.database).toEqual({ kind: 'mssql', connectionString: 'Server=tcp:db,1433;Database=Ustad;User Id=u;Password=p;' });
  });

  it('uses the managed identity for storage when only the service URIs are set', () => {
    const config = loadConfig({
      ...base,
      AzureWebJobsStorage__blobServiceUri: 'https://acct.blob.core.windows.net',
      AzureWebJobsStorage__queueServiceUri: 'https://acct.queue.core.windows.net',
      AzureWebJobsStorage__tableServiceUri: 'https://acct.table.core.windows.net',
      AzureWebJobsStorage__clientId: '00000000-0000-0000-0000-000000000001',
    });
    expect(config.storage).toMatchObject({ kind: 'identity', queueServiceUri: 'https://acct.queue.core.windows.net', clientId: '00000000-0000-0000-0000-000000000001' });
  });

  it('puts the SQLite file under LOCAL_DATA_DIR unless Database__SqlitePath says otherwise', () => {
    expect(loadConfig({ ...base, LOCAL_DATA_DIR: '/tmp/x' }).database).toEqual({ kind: 'sqlite', path: '/tmp/x/inbox.db' });
    expect(loadConfig({ ...base, LOCAL_DATA_DIR: '/tmp/x', Database__SqlitePath: '/tmp/y.db' }).database).toEqual({ kind: 'sqlite', path: '/tmp/y.db' });
  });

  const badCases: [string, Record<string, string>, string][] = [
    ['missing Jwt__Key', {}, 'Jwt__Key'],
    ['short Jwt__Key', { Jwt__Key: 'x'.repeat(31) }, 'Jwt__Key'],
    ['non-numeric port', { ...base, PORT: 'seventy' }, 'PORT'],
    ['port out of range', { ...base, PORT: '70000' }, 'PORT'],
    ['fractional attempts', { ...base, Security__MaxFailedLoginAttempts: '2.5' }, 'Security__MaxFailedLoginAttempts'],
    ['zero lockout', { ...base, Security__LockoutMinutes: '0' }, 'Security__LockoutMinutes'],
    ['old Graph version', { ...base, WhatsApp__GraphApiVersion: 'v19.0' }, 'WhatsApp__GraphApiVersion'],
    ['malformed Graph version', { ...base, WhatsApp__GraphApiVersion: '21' }, 'WhatsApp__GraphApiVersion'],
    ['Graph URL not http', { ...base, WhatsApp__GraphBaseUrl: 'ftp://graph' }, 'WhatsApp__GraphBaseUrl'],
    ['short app secret', { ...base, WhatsApp__AppSecret: 'abc' }, 'WhatsApp__AppSecret'],
    ['non-digit phone number id', { ...base, WhatsApp__PhoneNumberId: '12ab' }, 'WhatsApp__PhoneNumberId'],
    ['token without phone number id', { ...base, WhatsApp__AccessToken: 'EAAG' }, 'WhatsApp__PhoneNumberId'],
    ['bad sender address', { ...base, Email__SenderAddress: 'not-mail' }, 'Email__SenderAddress'],
    ['email string without sender', { ...base, Email__ConnectionString: 'endpoint=https://x/;accesskey=abc' }, 'Email__SenderAddress'],
    ['partial NetGSM', { ...base, Sms__NetGsm__Username: 'u' }, 'Sms__NetGsm__Password'],
    ['bad boolean', { ...base, Security__PasswordRequireComplexity: 'yes' }, 'Security__PasswordRequireComplexity'],
    ['bad hub name', { ...base, WebPubSub__Hub: '1-hub' }, 'WebPubSub__Hub'],
    ['not a SQL Server string', { ...base, ConnectionStrings__DefaultConnection: 'postgres://x' }, 'ConnectionStrings__DefaultConnection'],
    ['weak bootstrap password', { ...base, Bootstrap__AdminPassword: 'short' }, 'Bootstrap__AdminPassword'],
    ['partial identity storage', { ...base, AzureWebJobsStorage__blobServiceUri: 'https://a.blob.core.windows.net' }, 'AzureWebJobsStorage__queueServiceUri'],
    ['firm id zero', { ...base, Bootstrap__FirmId: '0' }, 'Bootstrap__FirmId'],
    ['a bootstrap admin e-mail that is not one', { ...base, Bootstrap__AdminEmail: 'admin-at-example' }, 'Bootstrap__AdminEmail'],
    ['a bootstrap admin phone with a plus and spaces', { ...base, Bootstrap__AdminPhone: '+90 555 123 45 67' }, 'Bootstrap__AdminPhone'],
  ];

  it.each(badCases)('rejects %s, naming the setting', (_label, env, setting) => {
    const problems = problemsOf(env);
    expect(problems.some((p) => p.includes(setting))).toBe(true);
  });

  it('reports every bad setting at once', () => {
    const problems = problemsOf({ PORT: 'x', Security__LockoutMinutes: '-1' });
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual(['Jwt__Key', 'PORT', 'Security__LockoutMinutes']);
  });

  it('documents every setting in local.settings.example.json and the README', () => {
    const example = JSON.parse(readFileSync('local.settings.example.json', 'utf8')) as { Values: Record<string, string> };
    const readme = readFileSync('README.md', 'utf8');
    for (const name of settingNames) {
      expect(example.Values, name).toHaveProperty(name);
      expect(readme.includes(`\`${name}\``), `README documents ${name}`).toBe(true);
    }
  });
});
