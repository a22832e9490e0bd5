/**
 * The torture worker process (run compiled, from dist/): an engine on the
 * torture database running the torture flows, executing the driver's control
 * commands in order. It prints `ready` once the engine has started, and closes
 * gracefully on SIGTERM; the driver SIGKILLs it at random moments otherwise.
 *
 * Arguments: --db --ledger --control --journal --log --inc
 */
import 'reflect-metadata';
import Database from 'better-sqlite3';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { InvalidStateError, Tempolite } from '../../src/index.js';
import { appendJournal, readCommands, readJournal, type ControlCommand } from './control.js';
import { EMPTY, TortureFlow, tortureLedger, twinAct, twinSaga } from './flow.js';
import { LedgerWriter } from './ledger.js';
import { fileLogger } from './worker-log.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    ledger: { type: 'string' },
    control: { type: 'string' },
    journal: { type: 'string' },
    log: { type: 'string' },
    inc: { type: 'string' },
    durability: { type: 'string', default: 'full' },
  },
});
const inc = Number(values.inc);
const [database, ledgerFile, controlFile, journalFile, logFile] = [values.db, values.ledger, values.control, values.journal, values.log].map((value) => {
  if (value === undefined) throw new Error('torture worker: --db, --ledger, --control, --journal and --log are required');
  return value;
}) as [string, string, string, string, string];

tortureLedger.writer = new LedgerWriter(ledgerFile, inc);
const engine = new Tempolite({
  database,
  durability: values.durability === 'normal' ? 'normal' : 'full',
  logger: fileLogger(logFile, inc),
  register: [TortureFlow, twinAct, twinSaga],
  queues: { default: { concurrency: 6 }, side: { concurrency: 2, rateLimit: { limit: 40, intervalMs: 500 } } },
  workerId: `torture-${inc}`,
  pollIntervalMs: 50,
  suspendAfterMs: 100,
});
await engine.start();
// Signals already stored, to send each one once across kills (see control.ts).
const reader = new Database(database, { readonly: true });
const storedSignals = reader.prepare(`SELECT payload FROM tempolite_signal WHERE workflow_id = ? AND name = ?`);
process.stdout.write('ready\n');

let done = readJournal(journalFile).length;
let stopping = false;

async function execute(command: ControlCommand): Promise<string | undefined> {
  switch (command.type) {
    case 'release':
      await Promise.all(
        command.roots.map((root) =>
          engine.startWorkflow(TortureFlow, root.method, [root.plan, 0, EMPTY], { id: root.id, priority: root.priority, ...(root.queue ? { queue: root.queue } : {}) }),
        ),
      );
      return undefined;
    case 'signal': {
      const rows = storedSignals.all(command.wf, command.name) as { payload: string }[];
      if (rows.some((row) => (JSON.parse(row.payload) as { json: { seq: number } }).json.seq === command.seq)) return 'already sent';
      await engine.signal(command.wf, command.name, { seq: command.seq });
      return undefined;
    }
    case 'cancel':
      try {
        await engine.cancel(command.wf);
      } catch (error) {
        // Replayed after a kill: the cancel already took effect and the workflow finished by it.
        if (error instanceof InvalidStateError) return `cancel refused: ${error.status}`;
        throw error;
      }
      return undefined;
    case 'pause':
      await engine.pause(command.wf);
      return undefined;
    case 'resume':
      await engine.resume(command.wf);
      return undefined;
  }
}

async function executePending(): Promise<void> {
  const commands = readCommands(controlFile);
  while (done < commands.length && !stopping) {
    const i = done;
    try {
      const note = await execute(commands[i]!);
      appendJournal(journalFile, { i, inc, ...(note !== undefined ? { note } : {}) });
    } catch (error) {
      appendJournal(journalFile, { i, inc, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
    done++;
  }
}

let loop: Promise<void> = Promise.resolve();
process.on('SIGTERM', () => {
  stopping = true;
  void loop
    .then(() => engine.close())
    .then(() => {
      reader.close();
      process.exit(0);
    });
});
loop = (async () => {
  while (!stopping) {
    await executePending();
    await delay(20);
  }
})();
