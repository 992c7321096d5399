// Offline checks of infra/*.bicep: no Bicep compiler exists here (AZURE.md §2e), so this reads the text the way the
// compiler would tokenise it (strings, interpolation, comments) and checks what can be checked without Azure.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sql from 'mssql';
import { describe, expect, it } from 'vitest';
import { settingNames } from '../../src/config';
import { allQueueNames } from '../../src/storage/queue-catalogue';

const infraDir = path.resolve(__dirname, '../../infra');

/** Settings the app reads that only the local stack uses; production must not set them. */
const LOCAL_ONLY = ['LOCAL_DATA_DIR', 'Database__SqlitePath', 'PORT', 'Bootstrap__AdminPassword'];

/**
 * Settings given in Azure's identity-based form instead of one value: the Functions host reads
 * `AzureWebJobsStorage__*` (AZURE.md §2d). The app's own storage clients must read the same form.
 */
const IDENTITY_BASED: Record<string, string[]> = {
  AzureWebJobsStorage: [
    'AzureWebJobsStorage__credential',
    'AzureWebJobsStorage__clientId',
    'AzureWebJobsStorage__blobServiceUri',
    'AzureWebJobsStorage__queueServiceUri',
    'AzureWebJobsStorage__tableServiceUri',
  ],
};

/** Settings the platform reads, not the app. */
const PLATFORM = ['APPLICATIONINSIGHTS_CONNECTION_STRING', 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'];

/** Values that carry a credential: each must be a Key Vault reference. */
const SECRET_SETTINGS = [
  'Jwt__Key',
  'WhatsApp__AccessToken',
  'WhatsApp__AppSecret',
  'WhatsApp__VerifyToken',
  'Sms__NetGsm__Password',
  'WebPubSubConnectionString',
  'Email__ConnectionString',
];

/** Flex Consumption rejects or ignores these (functions-app-settings, "Flex Consumption plan deprecations"). */
const FLEX_FORBIDDEN = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
];

interface Scanned {
  readonly text: string;
  /** Same length as `text`; comments, string contents and interpolations blanked, newlines kept. */
  readonly masked: string;
  readonly problems: readonly string[];
}

// Hand-written because no npm package tokenises Bicep; it follows the lexer's rules for what matters here:
// '…' strings with \ escapes and ${…} interpolation (which may nest strings), '''…''' verbatim strings, // and /* */ comments.
function scanBicep(text: string): Scanned {
  const masked = text.split('');
  const problems: string[] = [];
  const open: { ch: string; line: number }[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let inString = false;
  let line = 1;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < text.length; k++) if (masked[k] !== '\n') masked[k] = ' ';
  };
  const inInterpolation = () => open.some((o) => o.ch === '${');
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '\n') line++;
    if (inString) {
      blank(i, i + 1);
      if (c === '\\') {
        blank(i + 1, i + 2);
        i += 2;
      } else if (c === '$' && text[i + 1] === '{') {
        blank(i + 1, i + 2);
        open.push({ ch: '${', line });
        inString = false;
        i += 2;
      } else {
        // Bicep's lexer rejects a new line inside a '…' string (BCP004); only '''…''' may span lines.
        if (c === '\n') problems.push(`line ${line - 1}: string not closed before the end of the line`);
        if (c === "'" || c === '\n') inString = false;
        i++;
      }
      continue;
    }
    if (text.startsWith('//', i) || text.startsWith('/*', i) || text.startsWith("'''", i)) {
      const [closer, keep] = text.startsWith('//', i) ? ['\n', 0] : text.startsWith('/*', i) ? ['*/', 2] : ["'''", 3];
      const end = text.indexOf(closer, i + 2 + (closer === "'''" ? 1 : 0));
      const stop = end === -1 ? text.length : end + keep;
      if (end === -1 && closer !== '\n') problems.push(`line ${line}: unterminated ${closer === '*/' ? 'comment' : 'verbatim string'}`);
      line += (text.slice(i, stop).match(/\n/g) ?? []).length;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (inInterpolation()) blank(i, i + 1);
    if (c === "'") inString = true;
    else if (c === '(' || c === '[' || c === '{') open.push({ ch: c, line });
    else if (c === ')' || c === ']' || c === '}') {
      const top = open.pop();
      if (top?.ch === '${' && c === '}') inString = true;
      else if (top?.ch !== pairs[c]) problems.push(`line ${line}: '${c}' closes ${top ? `'${top.ch}' of line ${top.line}` : 'nothing'}`);
    }
    i++;
  }
  if (inString) problems.push('unterminated string at end of file');
  for (const o of open) problems.push(`line ${o.line}: '${o.ch}' is never closed`);
  return { text, masked: masked.join(''), problems };
}

function readScanned(relative: string): Scanned {
  return scanBicep(readFileSync(path.join(infraDir, relative), 'utf8'));
}

const bicepFiles = readdirSync(infraDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.bicep') || f.endsWith('.bicepparam'))
  .sort();
const main = readScanned('main.bicep');
const storageModule = readScanned('modules/storage.bicep');

/** The `{…}` block that follows `marker` (found in the text; the first code brace after it), as [start, end) offsets. */
function blockAfter(file: Scanned, marker: RegExp): [number, number] {
  const found = marker.exec(file.text);
  if (!found) throw new Error(`no ${String(marker)} in file`);
  const start = file.masked.indexOf('{', found.index + found[0].length);
  let depth = 0;
  for (let k = start; k < file.masked.length; k++) {
    if (file.masked[k] === '{') depth++;
    if (file.masked[k] === '}' && --depth === 0) return [start, k + 1];
  }
  throw new Error(`block after ${String(marker)} is never closed`);
}

/** Keys of an object literal written one per line, with the source text of each value. */
function objectEntries(file: Scanned, [start, end]: [number, number]): Map<string, string> {
  const entries = new Map<string, string>();
  const maskedLines = file.masked.slice(start, end).split('\n');
  const textLines = file.text.slice(start, end).split('\n');
  let depth = 0;
  maskedLines.forEach((masked, n) => {
    const key = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(masked);
    if (depth === 1 && key?.[1]) entries.set(key[1], (textLines[n] ?? '').slice((textLines[n] ?? '').indexOf(':') + 1).trim());
    for (const ch of masked) depth += '{[('.includes(ch) ? 1 : ')]}'.includes(ch) ? -1 : 0;
  });
  return entries;
}

const appSettings = objectEntries(main, blockAfter(main, /name:\s*'appsettings'[\s\S]*?properties:/));

/** The string literals of `var <name> = [ … ]`. */
function arrayVariable(file: Scanned, name: string): string[] {
  const at = new RegExp(`^var ${name} = \\[`, 'm').exec(file.masked);
  if (!at) throw new Error(`no var ${name}`);
  const close = file.masked.indexOf(']', at.index);
  return [...file.text.slice(at.index, close).matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '');
}

/** `param <name> <type> [= default]` declarations of a .bicep file, or `param <name> = …` of a .bicepparam. */
function params(file: Scanned): Map<string, { hasDefault: boolean }> {
  const found = new Map<string, { hasDefault: boolean }>();
  for (const m of file.masked.matchAll(/^param\s+(\w+)\s*(?:[\w.[\]]+\s*)?(=)?/gm)) {
    if (m[1]) found.set(m[1], { hasDefault: m[2] === '=' });
  }
  return found;
}

describe('infra Bicep, checked offline', () => {
  it('finds the templates', () => {
    expect(bicepFiles).toEqual(expect.arrayContaining(['main.bicep', 'main.bicepparam', path.join('modules', 'storage.bicep')]));
  });

  it.each(bicepFiles)('%s has balanced brackets, closed strings and comments', (file) => {
    expect(readScanned(file).problems).toEqual([]);
  });

  it.each(bicepFiles.filter((f) => f.endsWith('.bicep')))('%s declares every resource with a full Microsoft.* type and a stable API version', (file) => {
    const scanned = readScanned(file);
    const lines = scanned.masked.split('\n');
    const textLines = scanned.text.split('\n');
    const resourceLines = lines.flatMap((l, n) => (/^\s*resource\s/.test(l) ? [textLines[n] ?? ''] : []));
    expect(resourceLines.length).toBeGreaterThan(0);
    for (const l of resourceLines) {
      const type = /^\s*resource\s+\w+\s+'([^']+)'/.exec(l)?.[1];
      expect(type, l).toMatch(/^Microsoft\.[A-Za-z]+(\/[A-Za-z]+)+@\d{4}-\d{2}-\d{2}(-preview)?$/);
      expect(type, `${l}: only GA API versions are used`).not.toMatch(/-preview$/);
    }
  });

  it('uses one API version per resource type across files', () => {
    const versions = new Map<string, Set<string>>();
    for (const file of bicepFiles) {
      for (const m of readScanned(file).text.matchAll(/^\s*resource\s+\w+\s+'([^@']+)@([^']+)'/gm)) {
        if (m[1] && m[2]) versions.set(m[1], (versions.get(m[1]) ?? new Set()).add(m[2]));
      }
    }
    for (const [type, set] of versions) expect([...set], type).toHaveLength(1);
  });

  it('uses no registry modules, only local files that exist', () => {
    for (const file of bicepFiles) {
      const { text } = readScanned(file);
      expect(text, file).not.toMatch(/'(br|ts)[:/]/);
      for (const m of text.matchAll(/^\s*module\s+\w+\s+'([^']+)'/gm)) {
        const target = m[1] ?? '';
        expect(target, `${file}: ${target}`).toMatch(/^[\w./-]+\.bicep$/);
        expect(bicepFiles, `${file}: ${target}`).toContain(path.normalize(path.join(path.dirname(file), target)));
      }
    }
  });

  it('sets every setting of src/config.ts in the app settings, or lists it as local-only here', () => {
    const missing = settingNames.filter((name) => {
      if (LOCAL_ONLY.includes(name)) return false;
      const identityForm = IDENTITY_BASED[name];
      if (identityForm) return !identityForm.every((k) => appSettings.has(k));
      return !appSettings.has(name);
    });
    expect(missing).toEqual([]);
    expect(LOCAL_ONLY.filter((name) => appSettings.has(name)), 'local-only settings must stay out of Azure').toEqual([]);
    expect(LOCAL_ONLY.every((name) => (settingNames as string[]).includes(name)), 'a local-only name that config.ts no longer reads').toBe(true);
  });

  it('sets no app setting the app or the platform does not read (catches misspelt names)', () => {
    const known = new Set<string>([...settingNames, ...Object.values(IDENTITY_BASED).flat(), ...PLATFORM]);
    expect([...appSettings.keys()].filter((k) => !known.has(k))).toEqual([]);
    expect([...appSettings.keys()].filter((k) => FLEX_FORBIDDEN.includes(k))).toEqual([]);
  });

  it('takes every credential from a Key Vault secret declared in main.bicep', () => {
    for (const name of SECRET_SETTINGS) {
      const value = appSettings.get(name) ?? '';
      const symbol = /kvRef\((\w+)\.properties\.secretUri\)/.exec(value)?.[1];
      expect(symbol, `${name} = ${value}`).toBeDefined();
      expect(main.text, `${name}: secret resource ${String(symbol)}`).toMatch(
        new RegExp(`^resource ${String(symbol)} 'Microsoft\\.KeyVault/vaults/secrets@[^']+'`, 'm'),
      );
    }
    expect(main.text).toMatch(/^func kvRef\(secretUri string\) string => '@Microsoft\.KeyVault\(SecretUri=\$\{secretUri\}\)'$/m);
    expect(main.text).toMatch(/keyVaultReferenceIdentity: identity\.id/);
    expect(main.text).toMatch(/enableRbacAuthorization: true/);
  });

  it('creates exactly the queues of src/storage/queue-catalogue.ts, each with its -poison twin, and the blob containers', () => {
    expect([...arrayVariable(main, 'appQueueNames')].sort()).toEqual([...allQueueNames].sort());
    const storageParams = objectEntries(main, blockAfter(main, /^module storage [\s\S]*?params:/m));
    expect(storageParams.get('queueNames')).toBe('appQueueNames');
    const queueLoop = /resource queues '[^']+' = \[\s*for \w+ in ([^:]+):/.exec(storageModule.text)?.[1] ?? '';
    expect(queueLoop).toContain('queueNames');
    expect(queueLoop).toContain("-poison'");
    const containers = main.text.slice(...blockAfter(main, /^module storage /m));
    expect(containers).toMatch(/'media'/);
    expect(containers).toMatch(/'uploads'/);
  });

  it('keeps Azure SQL serverless with Microsoft Entra-only authentication', () => {
    const sqlModule = readScanned('modules/sql.bicep').text;
    expect(main.text).toMatch(/^module sql 'modules\/sql\.bicep'/m);
    expect(sqlModule).toMatch(/name: 'GP_S_Gen5_1'/);
    expect(sqlModule).toMatch(/azureADOnlyAuthentication: true/);
    expect(sqlModule).not.toMatch(/administratorLoginPassword/);
  });

  it('gives the app identity the storage data roles', () => {
    expect(storageModule.text).toContain("'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner");
    expect(storageModule.text).toContain("'974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor");
    expect(storageModule.text).toContain("'0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor");
    expect(storageModule.text).toMatch(/allowSharedKeyAccess: false/);
  });

  it('writes a SQL connection string that the installed mssql turns into managed-identity auth', () => {
    const literal = /^var sqlConnectionString = '(.*)'$/m.exec(main.text)?.[1] ?? '';
    const clientId = '00000000-1111-2222-3333-444444444444';
    const connectionString = literal
      .replace('${identity.properties.clientId}', clientId)
      .replace('${sql.outputs.serverFqdn}', 'sql-x.database.windows.net')
      .replace('${sql.outputs.databaseName}', 'inbox');
    expect(connectionString).not.toContain('${');
    const parsed = sql.ConnectionPool.parseConnectionString(connectionString) as ReturnType<typeof sql.ConnectionPool.parseConnectionString> & {
      authentication_type?: string;
      clientId?: string;
    };
    expect(parsed).toMatchObject({
      server: 'sql-x.database.windows.net',
      port: 1433,
      database: 'inbox',
      authentication_type: 'azure-active-directory-default',
      clientId,
      options: { encrypt: true },
    });
    expect(parsed.user).toBeUndefined();
    expect(parsed.password).toBeUndefined();
    expect(appSettings.get('ConnectionStrings__DefaultConnection')).toBe('sqlConnectionString');
  });

  it('routes the Web PubSub hub of WebPubSub__Hub to the app\'s realtime events route', () => {
    const hub = main.text.slice(...blockAfter(main, /^resource webPubSubHubResource /m));
    expect(hub).toMatch(/name: webPubSubHub\b/);
    expect(hub).toMatch(/urlTemplate: 'https:\/\/\$\{functionApp\.properties\.defaultHostName\}\/api\/realtime\/events'/);
    expect(hub).toMatch(/systemEvents: \[\s*'connected'\s*'disconnected'\s*\]/);
    expect(appSettings.get('WebPubSub__Hub')).toBe('webPubSubHubResource.name');
    expect(main.text).toMatch(/^param webPubSubHub string = 'inbox'$/m);
  });

  it('runs Node 22 on Flex Consumption with the user-assigned identity for deployment storage', () => {
    expect(main.text).toMatch(/name: 'FC1'\s+tier: 'FlexConsumption'/);
    expect(main.text).toMatch(/runtime: \{\s*name: 'node'\s*version: '22'\s*\}/);
    expect(main.text).toMatch(/type: 'UserAssignedIdentity'\s+userAssignedIdentityResourceId: identity\.id/);
  });

  it('main.bicepparam sets only declared parameters and every parameter without a default', () => {
    const declared = params(main);
    const file = readScanned('main.bicepparam');
    expect(file.text).toMatch(/^using 'main\.bicep'$/m);
    const given = params(file);
    expect([...given.keys()].filter((p) => !declared.has(p))).toEqual([]);
    expect([...declared].filter(([p, d]) => !d.hasDefault && !given.has(p)).map(([p]) => p)).toEqual([]);
    expect(file.text, 'secrets come from the environment').toMatch(/^param jwtKey = readEnvironmentVariable\('JWT_KEY'\)$/m);
  });
});
