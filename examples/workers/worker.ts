// reflect-metadata must load before any decorated class: it is the first import.
import 'reflect-metadata';
import { Tempolite, consoleLogger } from '../../src/index.js';
import { INVOICE_QUEUES, Invoices } from './invoices.js';

/**
 * A worker process: `node dist/examples/workers/worker.js <postgres-url> [worker-id]`.
 * Run as many as you like, on as many machines as you like, against the same
 * database; each claims invoice workflows within the queue's limits. SIGTERM
 * (or SIGINT) stops it gracefully: running workflows stop at a step boundary
 * and their leases are released, so the other workers take them over at once.
 */
const [database, workerId = `worker-${process.pid}`] = process.argv.slice(2);
if (database === undefined) {
  console.error('usage: node dist/examples/workers/worker.js <postgres://user:password@host:5432/db> [worker-id]');
  process.exit(2);
}
Invoices.workerId = workerId;
const engine = new Tempolite({ database, register: [Invoices], queues: INVOICE_QUEUES, workerId, logger: consoleLogger });
await engine.start();
process.stdout.write('ready\n');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void engine.close().then(() => process.exit(0));
  });
}
