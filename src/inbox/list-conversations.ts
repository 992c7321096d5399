// GET /api/conversations as a use case: the caller's visible conversations, newest activity first, keyset-paged, with counts per status.
import type { Actor } from '../auth/actor';
import type { Services } from '../services';
import type { ConversationView } from '../realtime/realtime-events.schemas';
import { CONVERSATION_STATUSES, loadConversationViews, selectConversationRows, toConversationView, type ConversationStatus } from './conversation-view';
import { firstRows } from './first-rows';
import { decodeTimeCursor, encodeTimeCursor, type TimeKey } from './inbox-cursor';
import type { ListConversationsQuery } from './inbox.schemas';
import { loadInboxSettings } from './inbox-settings.queries';
import { conversationsWithText, customersMatching, searchTerms, textStrategyFor } from './text-search';
import { visibleAssignees, type InboxVisibility } from './visibility';
import { firmColumnValue } from '../db/firm-column-value';

/** Counts stop here: past it a count reads "this many or more" (the list stays fast for firms with 100,000 conversations). */
export const COUNT_LIMIT = 10_000;
/** With `q`: newest matching messages and customers looked at. */
const TEXT_WINDOW = 2_000;
const CUSTOMER_WINDOW = 1_000;

export interface ConversationList {
  readonly items: ConversationView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
  /**
   * Conversations per status for the same visibility, `assigned` and `q` (not `status`: counts feed the status tabs);
   * on the first page only (null with a cursor). A count equal to `countLimit` means that many or more.
   */
  readonly counts: Record<ConversationStatus, number> | null;
  readonly countLimit: number;
  /** With `q`: more messages or customers matched than one request looks at; the oldest matches may be missing. */
  readonly partial: boolean;
}

type Scope = 'any' | readonly (string | null)[];

/** Which assignees the list covers: the visibility rule narrowed by `assigned` (possibly to nobody). */
function assigneeScope(visibility: InboxVisibility, actor: Actor, assigned: ListConversationsQuery['assigned']): Scope {
  const visible = visibleAssignees(visibility, actor);
  if (assigned === undefined) return visible;
  const wanted = assigned === 'me' ? actor.operatorId : assigned === 'unassigned' ? null : assigned;
  return visible === 'any' || visible.includes(wanted) ? [wanted] : [];
}

const CURSOR_KIND = 'conversations';

const newestFirst = (a: { LastMessageAt: Date; Id: string }, b: { LastMessageAt: Date; Id: string }) =>
  b.LastMessageAt.getTime() - a.LastMessageAt.getTime() || (a.Id < b.Id ? 1 : a.Id > b.Id ? -1 : 0);

/** Strictly after `key` in the list order (older activity, or the same time and a smaller id). */
const isAfter = (row: { LastMessageAt: Date; Id: string }, key: TimeKey) =>
  row.LastMessageAt.getTime() < key.at.getTime() || (row.LastMessageAt.getTime() === key.at.getTime() && row.Id < key.id);

/**
 * One page of the list. Without `q` every read is an index range in list order (one per assignee and status the
 * caller may see), so a page costs the same at any depth, and rows inserted meanwhile never shift a cursor: they sort
 * before it. With `q`, the matching conversations (customer name, user name, phone; message text) are collected first.
 */
export async function listConversations(services: Pick<Services, 'db' | 'dialect' | 'clock'>, actor: Actor, query: ListConversationsQuery): Promise<ConversationList> {
  const now = services.clock.now();
  const after = query.cursor === undefined ? undefined : decodeTimeCursor(CURSOR_KIND, query.cursor, 'query.cursor');
  const settings = await loadInboxSettings(services.db, actor.firmId);
  const scope = assigneeScope(settings.visibility, actor, query.assigned);
  const zero = { Open: 0, Pending: 0, Resolved: 0 };
  if (scope !== 'any' && scope.length === 0) return { items: [], nextCursor: null, counts: after ? null : zero, countLimit: COUNT_LIMIT, partial: false };
  if (query.q !== undefined) return listMatching(services, actor, { ...query, q: query.q }, scope, after, now);

  const branches: { assignee?: string | null; status?: ConversationStatus }[] =
    scope === 'any'
      ? [{ status: query.status }]
      : scope.flatMap((assignee) => (query.status ? [query.status] : CONVERSATION_STATUSES).map((status) => ({ assignee, status })));
  // One statement: each branch is an ordered index range cut at limit + 1, glued with UNION ALL and merged here.
  const parts = branches.map((branch, index) => {
    let select = selectConversationRows(services.db).where('c.FirmId', '=', actor.firmId);
    if (branch.assignee !== undefined) select = branch.assignee === null ? select.where('c.AssignedOperatorId', 'is', null) : select.where('c.AssignedOperatorId', '=', branch.assignee);
    if (branch.status !== undefined) select = select.where('c.Status', '=', branch.status);
    if (after) {
      // The first condition is a range the index seeks to; the second only separates rows of the same time.
      select = select.where('c.LastMessageAt', '<=', after.at).where((eb) => eb.or([eb('c.LastMessageAt', '<', after.at), eb('c.Id', '<', after.id)]));
    }
    return services.db.selectFrom(firstRows(select.orderBy('c.LastMessageAt', 'desc').orderBy('c.Id', 'desc'), services.dialect, query.limit + 1).as(`b${index}`)).selectAll();
  });
  const [head, ...rest] = parts;
  const pages = head ? [await rest.reduce((union, part) => union.unionAll(part), head).execute()] : [];
  const rows = pages.flat().sort(newestFirst);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => toConversationView(row, now)),
    nextCursor: rows.length > query.limit && last ? encodeTimeCursor(CURSOR_KIND, { at: last.LastMessageAt, id: last.Id }) : null,
    counts: after ? null : await countByStatus(services, actor.firmId, scope),
    countLimit: COUNT_LIMIT,
    partial: false,
  };
}

/** Capped counts in one statement: each is one index range (firm, [assignee,] status) read at most `COUNT_LIMIT` entries deep. */
async function countByStatus(services: Pick<Services, 'db' | 'dialect'>, firmId: number, scope: Scope): Promise<Record<ConversationStatus, number>> {
  const assignees: (string | null | undefined)[] = scope === 'any' ? [undefined] : [...scope];
  const cells = CONVERSATION_STATUSES.flatMap((status) => assignees.map((assignee, index) => ({ status, assignee, alias: `${status}${index}` })));
  const row = await services.db
    .selectNoFrom((eb) =>
      cells.map(({ status, assignee, alias }) => {
        let inner = eb.selectFrom('WhatsApp_Conversations').select('Id').where('FirmId', '=', firmId).where('Status', '=', status);
        if (assignee !== undefined) inner = assignee === null ? inner.where('AssignedOperatorId', 'is', null) : inner.where('AssignedOperatorId', '=', assignee);
        return eb
          .selectFrom(firstRows(inner, services.dialect, COUNT_LIMIT).as(`t${alias}`))
          .select((count) => count.fn.countAll().as('n'))
          .as(alias);
      }),
    )
    .executeTakeFirst();
  const counts = { Open: 0, Pending: 0, Resolved: 0 };
  const values = (row ?? {}) as Record<string, unknown>;
  for (const { status, alias } of cells) counts[status] = Math.min(COUNT_LIMIT, counts[status] + Number(values[alias] ?? 0));
  return counts;
}

async function listMatching(
  services: Pick<Services, 'db' | 'dialect' | 'clock'>,
  actor: Actor,
  query: ListConversationsQuery & { q: string },
  scope: Scope,
  after: TimeKey | undefined,
  now: Date,
): Promise<ConversationList> {
  const { db, dialect } = services;
  const [customers, texts] = await Promise.all([
    customersMatching(db, dialect, { firmId: actor.firmId, q: query.q, limit: CUSTOMER_WINDOW }),
    conversationsWithText(db, textStrategyFor(dialect), dialect, { firmId: actor.firmId, terms: searchTerms(query.q), window: TEXT_WINDOW }),
  ]);
  const candidates = new Map<string, { Id: string; Status: string; AssignedOperatorId: string | null; LastMessageAt: Date }>();
  const read = async (column: 'Id' | 'CustomerId', ids: readonly string[]) => {
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await db
        .selectFrom('WhatsApp_Conversations')
        .select(['Id', 'Status', 'AssignedOperatorId', 'LastMessageAt'])
        .where(firmColumnValue('FirmId'), '=', actor.firmId)
        .where(column, 'in', ids.slice(i, i + 500))
        .execute();
      for (const row of rows) candidates.set(row.Id, row);
    }
  };
  await read('CustomerId', customers.ids);
  await read('Id', texts.ids);

  const inScope = [...candidates.values()].filter((row) => scope === 'any' || scope.includes(row.AssignedOperatorId));
  const counts = { Open: 0, Pending: 0, Resolved: 0 };
  for (const row of inScope) {
    const status = row.Status === 'Pending' || row.Status === 'Resolved' ? row.Status : 'Open';
    counts[status] = Math.min(COUNT_LIMIT, counts[status] + 1);
  }
  const ordered = inScope.filter((row) => (query.status === undefined || row.Status === query.status) && (!after || isAfter(row, after))).sort(newestFirst);
  const page = ordered.slice(0, query.limit);
  const views = await loadConversationViews(db, actor.firmId, page.map((row) => row.Id), now);
  const last = page.at(-1);
  return {
    items: page.flatMap((row) => views.get(row.Id) ?? []),
    nextCursor: ordered.length > query.limit && last ? encodeTimeCursor(CURSOR_KIND, { at: last.LastMessageAt, id: last.Id }) : null,
    counts: after ? null : counts,
    countLimit: COUNT_LIMIT,
    partial: !customers.complete || !texts.complete,
  };
}
