// The per-firm hash chain of the audit log: what a row's hash covers, and how a chain is checked.
import { createHash } from 'node:crypto';

/** `PrevHash` of a firm's first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** The stored fields of an audit row, as the chain sees them. */
export interface ChainedAuditRow {
  readonly Id: string;
  readonly FirmId: number;
  readonly Sequence: number;
  readonly PrevHash: string;
  readonly Hash: string;
  readonly ActorOperatorId: string | null;
  readonly ActorUserName: string | null;
  readonly Action: string;
  readonly EntityType: string | null;
  readonly EntityId: string | null;
  readonly DetailsJson: string | null;
  readonly IpAddress: string | null;
  readonly UserAgent: string | null;
  readonly CreatedAt: Date;
}

/**
 * SHA-256 (hex) over the previous row's hash and a canonical JSON array of every other field, in a fixed
 * order with a version tag, so any edit of a field, of the sequence or of the link changes the hash.
 */
export function auditRowHash(row: Omit<ChainedAuditRow, 'Hash'>): string {
  const canonical = JSON.stringify([
    'audit-v1',
    row.Id,
    row.FirmId,
    row.Sequence,
    row.ActorOperatorId,
    row.ActorUserName,
    row.Action,
    row.EntityType,
    row.EntityId,
    row.DetailsJson,
    row.IpAddress,
    row.UserAgent,
    row.CreatedAt.toISOString(),
  ]);
  return createHash('sha256').update(row.PrevHash, 'utf8').update('\n', 'utf8').update(canonical, 'utf8').digest('hex');
}

export type ChainProblemKind = 'hash-mismatch' | 'broken-link' | 'missing' | 'out-of-order';

/** One place where a firm's chain does not hold. */
export interface ChainProblem {
  readonly firmId: number;
  readonly sequence: number;
  readonly kind: ChainProblemKind;
}

/**
 * Walks one firm's rows in `Sequence` order and reports each break once: an edited row (its hash no longer
 * matches), a deleted row (a gap in the sequence), a swapped or reordered row (its hash no longer matches, since
 * the sequence is hashed), or a row re-hashed after an edit (the next row's link breaks). The link of a row is
 * only judged when the row before it verified, so one tampered row is one report, not a cascade.
 */
export function verifyFirmChain(firmId: number, rows: readonly ChainedAuditRow[]): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let expectedSequence = 1;
  let prevHash = GENESIS_HASH;
  let previousOk = true;
  for (const row of rows) {
    if (row.Sequence < expectedSequence) {
      problems.push({ firmId, sequence: row.Sequence, kind: 'out-of-order' });
      continue;
    }
    if (row.Sequence > expectedSequence) {
      for (let missing = expectedSequence; missing < row.Sequence; missing += 1) problems.push({ firmId, sequence: missing, kind: 'missing' });
      previousOk = false;
    }
    const hashOk: boolean = auditRowHash(row) === row.Hash;
    const linkOk: boolean = !previousOk || row.PrevHash === prevHash;
    if (!hashOk) problems.push({ firmId, sequence: row.Sequence, kind: 'hash-mismatch' });
    else if (!linkOk) problems.push({ firmId, sequence: row.Sequence, kind: 'broken-link' });
    previousOk = hashOk && linkOk;
    prevHash = row.Hash;
    expectedSequence = row.Sequence + 1;
  }
  return problems;
}
