// GET /{waba-id}/message_templates: Meta's default fields, `fields`, filters and cursor paging.
import type { MessageTemplate } from './message-template';

/** Graph's listing body. */
export interface TemplateListing {
  data: Array<Record<string, unknown>>;
  paging?: { cursors: { before: string; after: string }; next?: string; previous?: string };
}

const defaultFields = ['name', 'parameter_format', 'components', 'language', 'status', 'category', 'sub_category', 'id'];
const defaultLimit = 25;

// Meta's cursors are opaque base64 strings (they start "QVFI…"); ours encode a position the same way.
function encodeCursor(index: number): string {
  return Buffer.from(`AQH:${index}`).toString('base64');
}

function decodeCursor(cursor: string | null): number | undefined {
  if (cursor === null) return undefined;
  const match = /^AQH:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function project(template: MessageTemplate, fields: readonly string[]): Record<string, unknown> {
  const source = template as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // Meta lists the requested fields in its own order and always adds `id`.
  for (const field of defaultFields) if ((fields.includes(field) || field === 'id') && source[field] !== undefined) out[field] = source[field];
  for (const field of fields) if (!(field in out) && source[field] !== undefined && field !== 'wabaId') out[field] = source[field];
  return out;
}

/** Builds one page of the listing; `pageUrl(query)` makes the absolute `next`/`previous` links. */
export function listMessageTemplates(
  templates: readonly MessageTemplate[],
  query: URLSearchParams,
  pageUrl: (query: URLSearchParams) => string,
): TemplateListing {
  const fields = query.get('fields')?.split(',').map((f) => f.trim()).filter(Boolean) ?? defaultFields;
  const limit = Math.max(1, Math.min(Number(query.get('limit') ?? defaultLimit) || defaultLimit, 1000));
  const equalsIgnoringCase = (param: string, value: string) => {
    const wanted = query.get(param);
    return wanted === null || wanted.toUpperCase() === value.toUpperCase();
  };
  const filtered = templates.filter(
    (t) =>
      equalsIgnoringCase('status', t.status) &&
      equalsIgnoringCase('category', t.category) &&
      equalsIgnoringCase('language', t.language) &&
      (query.get('name') === null || t.name.includes(query.get('name') ?? '')),
  );
  const after = decodeCursor(query.get('after'));
  const before = decodeCursor(query.get('before'));
  const start = after !== undefined ? after + 1 : before !== undefined ? Math.max(0, before - limit) : 0;
  const end = before !== undefined && after === undefined ? before : Math.min(filtered.length, start + limit);
  const page = filtered.slice(start, end);
  if (page.length === 0) return { data: [] };
  const link = (cursorName: 'after' | 'before', index: number) => {
    const next = new URLSearchParams(query);
    next.delete('after');
    next.delete('before');
    next.delete('access_token');
    next.set('limit', String(limit));
    next.set(cursorName, encodeCursor(index));
    return pageUrl(next);
  };
  return {
    data: page.map((t) => project(t, fields)),
    paging: {
      cursors: { before: encodeCursor(start), after: encodeCursor(end - 1) },
      ...(end < filtered.length ? { next: link('after', end - 1) } : {}),
      ...(start > 0 ? { previous: link('before', start) } : {}),
    },
  };
}
