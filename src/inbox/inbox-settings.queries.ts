// A firm's inbox settings as the inbox and automatic assignment read them (one row of WhatsApp_FirmSettings).
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import { inboxVisibilityOf, type InboxVisibility } from './visibility';

/** `off`: nobody is assigned automatically; `round-robin`: online agents in turn; `least-open`: the one with the fewest open conversations. */
export type AssignmentMode = 'off' | 'round-robin' | 'least-open';

export interface InboxSettings {
  readonly visibility: InboxVisibility;
  readonly assignmentMode: AssignmentMode;
  /** An agent offline longer than this hands their open conversations back to the queue. */
  readonly offlineGraceSeconds: number;
  /** Round-robin's pointer: the agent chosen last. */
  readonly lastAssignedOperatorId: string | null;
}

/** Reads the stored mode; anything unknown means off (nothing is assigned behind an operator's back by mistake). */
export function assignmentModeOf(stored: string | null | undefined): AssignmentMode {
  return stored === 'round-robin' || stored === 'least-open' ? stored : 'off';
}

/** The firm's settings; the narrowest ones (own-and-unassigned, off) when the firm has no settings row. */
export async function loadInboxSettings(db: Kysely<Database>, firmId: number): Promise<InboxSettings> {
  const row = await db
    .selectFrom('WhatsApp_FirmSettings')
    .select(['InboxVisibility', 'AssignmentMode', 'OfflineGraceSeconds', 'LastAssignedOperatorId'])
    .where('FirmId', '=', firmId)
    .executeTakeFirst();
  return {
    visibility: inboxVisibilityOf(row?.InboxVisibility),
    assignmentMode: assignmentModeOf(row?.AssignmentMode),
    offlineGraceSeconds: Math.max(0, row?.OfflineGraceSeconds ?? 300),
    lastAssignedOperatorId: row?.LastAssignedOperatorId ?? null,
  };
}

/** The settings an admin may change; absent fields stay as they are. */
export interface InboxSettingsChanges {
  readonly visibility?: InboxVisibility;
  readonly assignmentMode?: AssignmentMode;
  readonly offlineGraceSeconds?: number;
}

/** Writes the changed settings of the firm's row; answers false when the firm has no settings row. */
export async function updateInboxSettings(db: Kysely<Database>, firmId: number, changes: InboxSettingsChanges, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('WhatsApp_FirmSettings')
    .set({
      ...(changes.visibility === undefined ? {} : { InboxVisibility: changes.visibility }),
      ...(changes.assignmentMode === undefined ? {} : { AssignmentMode: changes.assignmentMode }),
      ...(changes.offlineGraceSeconds === undefined ? {} : { OfflineGraceSeconds: changes.offlineGraceSeconds }),
      UpdatedAt: now,
    })
    .where('FirmId', '=', firmId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
