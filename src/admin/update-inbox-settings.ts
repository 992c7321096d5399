// An admin changes their firm's inbox settings; the inbox and automatic assignment read them on their next request.
import type { Actor, RequestOrigin } from '../auth/actor';
import { recordAudit } from '../audit/record-audit';
import { loadInboxSettings, updateInboxSettings, type InboxSettingsChanges } from '../inbox/inbox-settings.queries';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';
import { toInboxSettingsView, type InboxSettingsView } from './get-inbox-settings';
import type { UpdateInboxSettingsBody } from './inbox-settings.schemas';

/**
 * Applies the changed settings and audits them (`inbox.settings.updated` with the settings before and after) in one
 * transaction; a body that changes nothing writes nothing. Nothing caches these settings, so the change holds at once.
 */
export async function updateFirmInboxSettings(
  services: Pick<Services, 'db' | 'clock'>,
  actor: Actor,
  input: UpdateInboxSettingsBody,
  origin: RequestOrigin,
): Promise<InboxSettingsView> {
  const now = services.clock.now();
  return services.db.transaction().execute(async (trx) => {
    const before = toInboxSettingsView(await loadInboxSettings(trx, actor.firmId));
    const after: InboxSettingsView = {
      assignmentMode: input.assignmentMode ?? before.assignmentMode,
      inboxVisibility: input.inboxVisibility ?? before.inboxVisibility,
      offlineGraceSeconds: input.offlineGraceSeconds ?? before.offlineGraceSeconds,
    };
    const fields = (Object.keys(after) as (keyof InboxSettingsView)[]).filter((key) => after[key] !== before[key]);
    if (fields.length === 0) return before;
    const changes: InboxSettingsChanges = {
      ...(fields.includes('inboxVisibility') ? { visibility: after.inboxVisibility } : {}),
      ...(fields.includes('assignmentMode') ? { assignmentMode: after.assignmentMode } : {}),
      ...(fields.includes('offlineGraceSeconds') ? { offlineGraceSeconds: after.offlineGraceSeconds } : {}),
    };
    if (!(await updateInboxSettings(trx, actor.firmId, changes, now))) throw new AppError('NotFound');
    await recordAudit(trx, { firmId: actor.firmId, action: 'inbox.settings.updated', actor, entityType: 'firm', entityId: String(actor.firmId), details: { fields, before, after }, origin }, now);
    return after;
  });
}
