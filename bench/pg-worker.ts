import 'reflect-metadata';
import { Tempolite, silentLogger } from '../src/index.js';
import { BENCH_PG_QUEUES } from './pg-throughput.js';
import { BenchFlows } from './workloads.js';

/** A worker process of the PostgreSQL throughput bench: `node dist/bench/pg-worker.js <url> <workerId>`; SIGTERM stops it. */
const [database, workerId] = process.argv.slice(2) as [string, string];
const engine = new Tempolite({ database, workerId, logger: silentLogger, register: [BenchFlows], queues: BENCH_PG_QUEUES });
await engine.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void engine.close().then(() => process.exit(0));
});
