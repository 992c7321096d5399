// The shared route wrapper: body limits, case-insensitive binding, error envelope, 500s with a logged id.
import { HttpRequest, InvocationContext } from '@azure/functions';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runRoute, type RouteDefinition } from '../../../src/http/define-route';
import { ok } from '../../../src/http/respond';
import { closeServices } from '../../../src/services';
import { testStorageConnectionString } from '../../support/test-storage';

let dataDir: string;
const logged: unknown[][] = [];

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'define-route-'));
  Object.assign(process.env, {
    LOCAL_DATA_DIR: dataDir,
    Jwt__Key: 'k'.repeat(48),
    AzureWebJobsStorage: testStorageConnectionString(),
    Bootstrap__AdminPassword: 'bootstrap-passphrase-for-tests-1',
  });
});
afterAll(async () => {
  await closeServices();
  rmSync(dataDir, { recursive: true, force: true });
});

const echo: RouteDefinition<Record<string, never>, { limit: number }, { userName: string; password: string }, 'anonymous'> = {
  name: 'echo',
  method: 'POST',
  route: 'echo',
  access: 'anonymous',
  query: z.object({ limit: z.coerce.number().int().min(1).max(100) }),
  body: z.object({ userName: z.string().min(1), password: z.string().min(1) }).strict(),
  maxBodyBytes: 1024,
  handle: async ({ body, query }) => ok({ userName: body.userName, limit: query.limit }),
};

function call(definition: RouteDefinition<never, never, never, never> | typeof echo, init: { url?: string; body?: string; headers?: Record<string, string> }) {
  const request = new HttpRequest({
    method: 'POST',
    url: init.url ?? 'http://localhost/api/echo?limit=5',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : { string: init.body },
  });
  const context = new InvocationContext({ functionName: 'echo', logHandler: (_level, ...args) => logged.push(args) });
  return runRoute(definition as typeof echo, request, context);
}

const bodyOf = (response: { body?: unknown }) => JSON.parse(String(response.body)) as { error?: { code: string; message: string; fields?: Record<string, string>; id?: string } };

describe('defineRoute', () => {
  it('binds the old API body shape case-insensitively', async () => {
    const response = await call(echo, { body: JSON.stringify({ UserName: 'admin', PASSWORD: 'x' }) });
    expect(response.status).toBe(200);
    expect(JSON.parse(String(response.body))).toEqual({ userName: 'admin', limit: 5 });
  });

  it('answers malformed JSON with 400 InvalidRequest', async () => {
    const response = await call(echo, { body: '{"userName":' });
    expect(response.status).toBe(400);
    expect(bodyOf(response).error?.code).toBe('InvalidRequest');
  });

  it('names every wrong field, in Turkish by default and English on request', async () => {
    const tr = await call(echo, { url: 'http://localhost/api/echo?limit=0', body: JSON.stringify({ userName: 5 }) });
    expect(tr.status).toBe(400);
    expect(Object.keys(bodyOf(tr).error?.fields ?? {}).sort()).toEqual(['query.limit']);
    const en = await call(echo, { body: JSON.stringify({ userName: 5 }), headers: { 'accept-language': 'en-GB,en;q=0.8' } });
    expect(Object.keys(bodyOf(en).error?.fields ?? {}).sort()).toEqual(['body.password', 'body.userName']);
    expect(bodyOf(en).error?.message).toMatch(/^Invalid fields/);
    expect(bodyOf(tr).error?.message).toMatch(/^Geçersiz alanlar/);
  });

  it('refuses a body over the route limit with 413 before parsing', async () => {
    const response = await call(echo, { body: JSON.stringify({ userName: 'a'.repeat(2000), password: 'x' }) });
    expect(response.status).toBe(413);
    expect(bodyOf(response).error?.code).toBe('PayloadTooLarge');
  });

  it('refuses a non-JSON content type with 415', async () => {
    const response = await call(echo, { body: 'userName=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(415);
  });

  it('requires a bearer token on signed-in routes', async () => {
    const response = await call({ ...echo, access: 'operator' } as unknown as typeof echo, { body: JSON.stringify({ userName: 'a', password: 'b' }) });
    expect(response.status).toBe(401);
    expect(bodyOf(response).error?.code).toBe('Unauthenticated');
  });

  it('turns an unexpected error into a 500 whose id is in the log and whose body has no stack', async () => {
    const failing = { ...echo, handle: async () => Promise.reject(new Error('secret internals at line 42')) };
    const response = await call(failing, { body: JSON.stringify({ userName: 'a', password: 'b' }) });
    expect(response.status).toBe(500);
    const error = bodyOf(response).error;
    expect(error?.code).toBe('InternalError');
    expect(String(response.body)).not.toContain('secret internals');
    expect(logged.some((args) => String(args[0]).includes(String(error?.id)))).toBe(true);
  });
});
