// local.settings.json loading and the generated local defaults (one list, persisted once, 0600).
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { DevHostError } from '../../../src/devhost/functions-host/dev-host-error';
import { applyLocalDefaults, loadLocalSettings, localDefaultSettings } from '../../../src/devhost/local-settings';

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'ustad-settings-'));
}

describe('loadLocalSettings', () => {
  test('copies Values into the environment without overriding what is already set', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: { A: 'from-file', B: 2, C: true }, Host: { LocalHttpPort: 7072 } }));
    const env: Record<string, string | undefined> = { A: 'preset' };
    const loaded = loadLocalSettings(dir, env);
    expect(env).toEqual({ A: 'preset', B: '2', C: 'true' });
    expect(loaded.applied).toEqual(['B', 'C']);
    expect(loaded.localHttpPort).toBe(7072);
  });

  test('no file is fine; bad JSON and encrypted files are refused with the file named', () => {
    const dir = tempDir();
    expect(loadLocalSettings(dir, {})).toEqual({ file: undefined, applied: [], localHttpPort: undefined });
    writeFileSync(path.join(dir, 'local.settings.json'), '{ "Values": ');
    expect(() => loadLocalSettings(dir, {})).toThrow(DevHostError);
    writeFileSync(path.join(dir, 'local.settings.json'), JSON.stringify({ IsEncrypted: true, Values: {} }));
    expect(() => loadLocalSettings(dir, {})).toThrow(/encrypted/);
  });
});

describe('applyLocalDefaults', () => {
  test('generates missing settings once, stores them 0600, reuses them on the next start', () => {
    const dataDir = path.join(tempDir(), 'nested', '.data');
    const printed: string[] = [];
    const first: Record<string, string | undefined> = {};
    const result = applyLocalDefaults(first, dataDir, (line) => printed.push(line));
    expect(result.generated).toEqual(localDefaultSettings.map((s) => s.name));
    expect(result.usesWhatsAppSimulator).toBe(true);
    expect(Buffer.from(first['Jwt__Key'] ?? '', 'base64')).toHaveLength(48);
    expect(first['WhatsApp__PhoneNumberId']).toBe('100000000000001');
    expect(first['WhatsApp__BusinessAccountId']).toBe('200000000000001');
    expect(statSync(result.file).mode & 0o777).toBe(0o600);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('Jwt__Key');

    const second: Record<string, string | undefined> = {};
    const again = applyLocalDefaults(second, dataDir, (line) => printed.push(line));
    expect(again.generated).toEqual([]);
    expect(second).toEqual(first);
    expect(printed).toHaveLength(1);
    expect(JSON.parse(readFileSync(result.file, 'utf8'))).toEqual(first);
  });

  test('configured values win; WhatsApp values are only generated when no access token is configured', () => {
    const env: Record<string, string | undefined> = { Jwt__Key: 'k'.repeat(40), WhatsApp__AccessToken: 'real-token' };
    const result = applyLocalDefaults(env, tempDir(), () => undefined);
    expect(result.applied).toEqual([]);
    expect(result.usesWhatsAppSimulator).toBe(false);
    expect(env).toEqual({ Jwt__Key: 'k'.repeat(40), WhatsApp__AccessToken: 'real-token' });
  });
});
