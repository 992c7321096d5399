// Media upload → GET → download → DELETE and template listing through real HTTP, with Meta's shapes.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../../src/devhost/graph-simulator/graph-simulator';
import { accessToken, corpusDir, graphGet, phone, shapeOf, sortedUnique, startSimulator } from './harness';

const auth = { Authorization: `Bearer ${accessToken}` };
let sim: GraphSimulator;
beforeAll(async () => {
  sim = await startSimulator({ statuses: { auto: false } });
});
afterAll(async () => {
  await sim.stop();
});

async function upload(target: GraphSimulator, bytes: Uint8Array, type: string, fileName = 'photo.jpg', withProduct = true): Promise<{ status: number; json: Record<string, unknown> }> {
  const form = new FormData();
  if (withProduct) form.append('messaging_product', 'whatsapp');
  form.append('type', type);
  form.append('file', new Blob([bytes], { type }), fileName);
  const response = await fetch(`${target.baseUrl}/v21.0/${phone.phoneNumberId}/media`, { method: 'POST', headers: auth, body: form });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('media', () => {
  it('upload → get → download round trip keeps the bytes and the sha256', async () => {
    const bytes = randomBytes(64 * 1024);
    const uploaded = await upload(sim, bytes, 'image/jpeg');
    expect(uploaded.status).toBe(200);
    const documented = JSON.parse(readFileSync(path.join(corpusDir, 'send', 'meta_media_upload.response.json'), 'utf8')) as unknown;
    expect(sortedUnique(shapeOf(uploaded.json))).toEqual(sortedUnique(shapeOf(documented)));
    const id = String(uploaded.json.id);
    expect(id).toMatch(/^\d{16}$/);

    const got = await graphGet(sim, `/v21.0/${id}?phone_number_id=${phone.phoneNumberId}`);
    expect(got.status).toBe(200);
    const meta = got.json as { messaging_product: string; url: string; mime_type: string; sha256: string; file_size: number; id: string };
    expect(Object.keys(meta)).toEqual(['messaging_product', 'url', 'mime_type', 'sha256', 'file_size', 'id']);
    expect(meta).toMatchObject({ messaging_product: 'whatsapp', mime_type: 'image/jpeg', file_size: bytes.length, id });
    expect(meta.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(meta.url.startsWith(`${sim.baseUrl}/whatsapp_business/attachments/?mid=${id}&ext=`)).toBe(true);

    const download = await fetch(meta.url, { headers: auth });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/jpeg');
    const body = Buffer.from(await download.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(meta.sha256);

    const recorded = sim.received({ pathIncludes: '/media' }).at(-1);
    expect(recorded?.body).toMatchObject({ fields: { messaging_product: 'whatsapp', type: 'image/jpeg' }, file: { name: 'photo.jpg', size: bytes.length, sha256: meta.sha256 } });
  });

  it('download needs the bearer token; forged URLs are 404', async () => {
    const { json } = await upload(sim, Buffer.from('%PDF-1.4 test'), 'application/pdf', 'a.pdf');
    const meta = (await graphGet(sim, `/v21.0/${String(json.id)}`)).json as { url: string };
    const anonymous = await fetch(meta.url);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: number } }).error.code).toBe(190);
    const forged = await fetch(meta.url.replace(/hash=[^&]+/, 'hash=AAAA'), { headers: auth });
    expect(forged.status).toBe(404);
  });

  it('URLs expire after the media URL lifetime (Meta: 5 minutes)', async () => {
    const short = await startSimulator({ mediaUrlTtlMs: 1000, statuses: { auto: false } });
    try {
      const { json } = await upload(short, Buffer.from('hello'), 'text/plain', 'a.txt');
      const meta = (await graphGet(short, `/v21.0/${String(json.id)}`)).json as { url: string };
      expect((await fetch(meta.url, { headers: auth })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2100));
      expect((await fetch(meta.url, { headers: auth })).status).toBe(404);
      const fresh = (await graphGet(short, `/v21.0/${String(json.id)}`)).json as { url: string };
      expect((await fetch(fresh.url, { headers: auth })).status).toBe(200);
    } finally {
      await short.stop();
    }
  });

  it('DELETE answers {success:true}; the id is gone afterwards', async () => {
    const { json } = await upload(sim, Buffer.from('x'), 'image/png', 'x.png');
    const id = String(json.id);
    const meta = (await graphGet(sim, `/v21.0/${id}`)).json as { url: string };
    const deleted = await fetch(`${sim.baseUrl}/v21.0/${id}`, { method: 'DELETE', headers: auth });
    const documented = JSON.parse(readFileSync(path.join(corpusDir, 'send', 'meta_media_delete.response.json'), 'utf8')) as unknown;
    expect(await deleted.json()).toEqual(documented);
    const again = await graphGet(sim, `/v21.0/${id}`);
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({ error: { code: 100, error_subcode: 33, type: 'GraphMethodException' } });
    expect((await fetch(meta.url, { headers: auth })).status).toBe(404);
  });

  it('refuses unsupported types, oversize files and a missing messaging_product', async () => {
    const gif = await upload(sim, Buffer.from('GIF89a'), 'image/gif', 'a.gif');
    expect(gif.status).toBe(400);
    expect(gif.json).toMatchObject({ error: { code: 100 } });
    expect(String((gif.json.error as { message: string }).message)).toContain("Received file of type 'image/gif'");
    const big = await upload(sim, Buffer.alloc(5 * 1024 * 1024 + 1), 'image/png', 'big.png');
    expect(big.json).toMatchObject({ error: { code: 131053, message: '(#131053) Media upload error' } });
    const noProduct = await upload(sim, Buffer.from('x'), 'image/png', 'x.png', false);
    expect(noProduct.json).toMatchObject({ error: { code: 100, message: '(#100) The parameter messaging_product is required.' } });
  });

  it('keeps media on disk under dataDir', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'graph-sim-'));
    const disk = await startSimulator({ dataDir, statuses: { auto: false } });
    try {
      const { json } = await upload(disk, Buffer.from('on disk'), 'text/plain', 'd.txt');
      const meta = (await graphGet(disk, `/v21.0/${String(json.id)}`)).json as { url: string };
      expect(await (await fetch(meta.url, { headers: auth })).text()).toBe('on disk');
      expect(readFileSync(path.join(dataDir, 'media', `${String(json.id)}.bin`), 'utf8')).toBe('on disk');
    } finally {
      await disk.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('message templates', () => {
  const templatesPath = `/v21.0/${phone.wabaId}/message_templates`;

  it('lists Meta’s default fields with the realistic defaults', async () => {
    const { status, json } = await graphGet(sim, templatesPath);
    expect(status).toBe(200);
    const data = (json as { data: Array<Record<string, unknown>> }).data;
    expect(data.map((t) => `${String(t.name)}/${String(t.language)}/${String(t.status)}`)).toEqual([
      'hello_world/en_US/APPROVED',
      'randevu_hatirlatma/tr/APPROVED',
      'reservation_confirmation/en_US/APPROVED',
      'coupon_expiration_reminder_number_vars/en/APPROVED',
      'address_update/en_US/PENDING',
      'reservation_confirmation_short_banner/en_US/REJECTED',
    ]);
    expect(Object.keys(data[2] ?? {})).toEqual(['name', 'parameter_format', 'components', 'language', 'status', 'category', 'id']);
    expect(data[2]).toMatchObject({ parameter_format: 'NAMED', components: [{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY' }, { type: 'FOOTER' }, { type: 'BUTTONS' }] });
  });

  it('answers fields=name,category,status&limit=5 in the shape of Meta’s example, with working cursors', async () => {
    const documented = JSON.parse(readFileSync(path.join(corpusDir, 'send', 'meta_get_message_templates_fields.response.json'), 'utf8')) as unknown;
    const first = await graphGet(sim, `${templatesPath}?fields=name,category,status&limit=5`);
    expect(sortedUnique(shapeOf(first.json))).toEqual(sortedUnique(shapeOf(documented)));
    const page1 = first.json as { data: Array<{ name: string }>; paging: { cursors: { before: string; after: string }; next: string } };
    expect(page1.data).toHaveLength(5);
    expect(page1.paging.cursors.after).toMatch(/^QVFI/);
    const next = await fetch(page1.paging.next, { headers: auth });
    const page2 = (await next.json()) as { data: Array<{ name: string }>; paging: { previous?: string; next?: string } };
    expect(page2.data.map((t) => t.name)).toEqual(['reservation_confirmation_short_banner']);
    expect(page2.paging.next).toBeUndefined();
    const back = (await (await fetch(page2.paging.previous ?? '', { headers: auth })).json()) as { data: Array<{ name: string }> };
    expect(back.data.map((t) => t.name)).toEqual(page1.data.map((t) => t.name));
  });

  it('filters by status and follows changes to the list', async () => {
    const approved = (await graphGet(sim, `${templatesPath}?status=approved&fields=name`)).json as { data: Array<{ name: string }> };
    expect(approved.data).toHaveLength(4);
    sim.templates.add({ name: 'odeme_hatirlatma', language: 'tr', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Ödemeniz {{1}} tarihinde.' }] });
    const after = (await graphGet(sim, `${templatesPath}?status=APPROVED&fields=name`)).json as { data: Array<{ name: string }> };
    expect(after.data.map((t) => t.name)).toContain('odeme_hatirlatma');
    sim.templates.reset();
  });

  it('an unknown WABA is Graph’s unsupported-request error', async () => {
    const { status, json } = await graphGet(sim, '/v21.0/123/message_templates');
    expect(status).toBe(400);
    expect(json).toMatchObject({ error: { code: 100, error_subcode: 33 } });
  });
});
