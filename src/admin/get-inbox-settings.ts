// The admin's firm's inbox settings as GET and PATCH /api/admin/inbox-settings answer them.
import type { Actor } from '../auth/actor';
import { loadInboxSettings, type AssignmentMode, type InboxSettings } from '../inbox/inbox-settings.queries';
import type { InboxVisibility } from '../inbox/visibility';
import type { Services } from '../services';

export interface InboxSettingsView {
  /** Who takes new conversations: nobody automatically (`off`), agents online in turn, or the least busy. */
  readonly assignmentMode: AssignmentMode;
  /** What agents see: unassigned conversations and their own, or all of the firm's. */
  readonly inboxVisibility: InboxVisibility;
  /** How long an agent may be offline before their open conversations go back to the queue. */
  readonly offlineGraceSeconds: number;
}

export function toInboxSettingsView(settings: InboxSettings): InboxSettingsView {
  return { assignmentMode: settings.assignmentMode, inboxVisibility: settings.visibility, offlineGraceSeconds: settings.offlineGraceSeconds };
}

export async function getInboxSettings(services: Pick<Services, 'db'>, actor: Actor): Promise<InboxSettingsView> {
  return toInboxSettingsView(await loadInboxSettings(services.db, actor.firmId));
}
