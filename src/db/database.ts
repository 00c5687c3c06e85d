/**
 * Every table as Kysely sees it. Empty here: each module declares its own tables
 * in its `<module>.tables.ts` and adds them to this interface (TypeScript's
 * declaration merging), so a module's tables live in its folder.
 *
 * Times are epoch milliseconds (INTEGER in SQLite, BIGINT in PostgreSQL) so both
 * dialects store and compare them the same way; flags are 0 or 1.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the modules
export interface Database {}
