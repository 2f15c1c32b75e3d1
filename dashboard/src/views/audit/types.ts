// The audit log's shapes: GET /audit entries (newest first) and the
// GET /audit/verify report.

/** Entries per page. */
export const PAGE = 50;

export interface AuditEntry {
  id: number;
  /** Epoch milliseconds. */
  time: number;
  actor: string;
  action: string;
  target: string;
  detail: unknown;
  outcome: string;
  prev_hash: string;
  hash: string;
}

export interface BreakerMismatch {
  breaker: string;
  stored_state: string | null;
  chained_state: string | null;
  entry: number | null;
  reason: string;
}

export interface AuditReport {
  ok: boolean;
  entries: number;
  last_hash: string;
  first_broken: { id: number; reason: string } | null;
  breaker_mismatches: BreakerMismatch[];
}

/** A hash short enough for a table cell. */
export function shortHash(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash;
}
