/** Attempts counted before the work they guard, in fixed windows. */
export interface AttemptCountersTable {
  /** HMAC of the rule and its subject (an email, an IP, a user id): never the subject itself. */
  key: string;
  count: number;
  window_ends_at: number;
}

declare module '../../db/database' {
  interface Database {
    attempt_counters: AttemptCountersTable;
  }
}
