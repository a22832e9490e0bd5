// reflect-metadata must load before any decorated class: it is the first import.
import 'reflect-metadata';
import { runWorkersExample } from './invoices.js';

/**
 * `node dist/examples/workers/main.js [postgres-url]`: starts 1,000 invoice
 * workflows from this process and runs them on three worker processes.
 * The URL defaults to TEMPOLITE_PG, else the server `.ci/start-postgres` sets up.
 */
const database = process.argv[2] ?? process.env.TEMPOLITE_PG ?? 'postgres://tempolite:tempolite@127.0.0.1:5432/tempolite';
await runWorkersExample({ database, invoices: 1000, workers: 3 });
