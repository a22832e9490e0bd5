/**
 * A fresh database for one test, in this run's store (a SQLite file, or a
 * PostgreSQL schema in the `postgres` project); `cleanup()` removes it.
 */
export { tempDatabase } from './test-store.js';
