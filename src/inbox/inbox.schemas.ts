// Request shapes of the inbox endpoints: path ids, list and search queries, and the acting bodies.
import { z } from 'zod';

/** A UUID as the app makes them; upper-case is accepted and lowered (ids are stored lower-case). */
export const IdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be an id')
  .transform((value) => value.toLowerCase());

export const ConversationIdParamsSchema = z.object({ conversationId: IdSchema });

export const ConversationStatusSchema = z.enum(['Open', 'Pending', 'Resolved']);

/** What a search may hold: enough for a name, a phone number or a phrase; a 10 kB `q` is refused, naming the field. */
const SearchTextSchema = z.string().trim().min(2, 'must be at least 2 characters').max(200, 'must be at most 200 characters');
const CursorSchema = z.string().min(1).max(200, 'is not a cursor of this list');
const limit = (max: number, fallback: number) =>
  z.coerce.number({ message: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`).default(fallback);

export const ListConversationsQuerySchema = z.object({
  status: ConversationStatusSchema.optional(),
  /** `me`, `unassigned`, or an operator's id. */
  assigned: z.union([z.enum(['me', 'unassigned']), IdSchema], { message: 'must be me, unassigned or an operator id' }).optional(),
  q: SearchTextSchema.optional(),
  cursor: CursorSchema.optional(),
  limit: limit(100, 50),
});
export type ListConversationsQuery = z.infer<typeof ListConversationsQuerySchema>;

export const HistoryQuerySchema = z
  .object({
    before: CursorSchema.optional(),
    after: CursorSchema.optional(),
    limit: limit(100, 50),
  })
  .refine((query) => query.before === undefined || query.after === undefined, { message: 'give before or after, not both', path: ['after'] });
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time' }).transform((value) => new Date(value));

export const SearchMessagesQuerySchema = z
  .object({
    q: SearchTextSchema,
    from: isoTime.optional(),
    to: isoTime.optional(),
    cursor: CursorSchema.optional(),
    limit: limit(50, 20),
  })
  // zod 4 runs refinements even when a field already failed, so the values may still be raw strings here.
  .refine((query) => !(query.from instanceof Date && query.to instanceof Date) || query.from.getTime() < query.to.getTime(), {
    message: 'must be later than from',
    path: ['to'],
  });
export type SearchMessagesQuery = z.infer<typeof SearchMessagesQuerySchema>;

/** `{ operatorId: null }` unassigns. */
export const AssignConversationBodySchema = z.object({ operatorId: IdSchema.nullable() });
export type AssignConversationBody = z.infer<typeof AssignConversationBodySchema>;

export const UpdateConversationBodySchema = z.object({ status: ConversationStatusSchema });
export type UpdateConversationBody = z.infer<typeof UpdateConversationBodySchema>;
