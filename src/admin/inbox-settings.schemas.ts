// Request shape of PATCH /api/admin/inbox-settings, with the values the inbox and automatic assignment understand.
import { z } from 'zod';
import type { AssignmentMode } from '../inbox/inbox-settings.queries';
import type { InboxVisibility } from '../inbox/visibility';

// Objects keyed by every member of each union: the compiler refuses a missing or an extra value, so the API accepts
// exactly what src/inbox and src/assignment read.
const assignmentModes = { off: 'off', 'round-robin': 'round-robin', 'least-open': 'least-open' } as const satisfies { [M in AssignmentMode]: M };
const inboxVisibilities = { 'own-and-unassigned': 'own-and-unassigned', all: 'all' } as const satisfies { [V in InboxVisibility]: V };

/** A day: longer than any break an agent takes while keeping their conversations. */
export const MAX_OFFLINE_GRACE_SECONDS = 86_400;

export const UpdateInboxSettingsBodySchema = z
  .object({
    assignmentMode: z.enum(assignmentModes, { message: `must be one of ${Object.values(assignmentModes).join(', ')}` }).optional(),
    inboxVisibility: z.enum(inboxVisibilities, { message: `must be one of ${Object.values(inboxVisibilities).join(', ')}` }).optional(),
    offlineGraceSeconds: z
      .number({ message: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(0, 'must be at least 0')
      .max(MAX_OFFLINE_GRACE_SECONDS, `must be at most ${MAX_OFFLINE_GRACE_SECONDS}`)
      .optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'change at least one setting', path: ['assignmentMode'] });

export type UpdateInboxSettingsBody = z.infer<typeof UpdateInboxSettingsBodySchema>;
