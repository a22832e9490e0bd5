import { container } from 'tsyringe';
import { TestClock, Tempolite, silentLogger, tsyringeContainer, type WorkflowHandle } from '../../src/index.js';
import { APPROVAL_LOG, ExpenseApproval, type Expense, type ExpenseOutcome } from './expenses.js';

/** Options of {@link runApproval}. */
export interface ApprovalOptions {
  /** SQLite file the engine works on. */
  readonly database: string;
  /** Where lines go. @default console.log */
  readonly log?: (line: string) => void;
}

/** What one run of the example produced, per expense id. */
export interface ApprovalResult {
  readonly outcomes: Readonly<Record<string, ExpenseOutcome>>;
  /** Workflow bodies the engine held in memory while all three claims waited for a decision. */
  readonly heldWhileWaiting: number;
}

/**
 * Files three expense claims; a manager approves the first and rejects the
 * second; nobody answers the third, so once three days have passed it is
 * escalated. The three days pass in milliseconds: the engine runs on a
 * TestClock that the example advances, as a test would.
 */
export async function runApproval(options: ApprovalOptions): Promise<ApprovalResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const scope = container.createChildContainer();
  scope.register(APPROVAL_LOG, { useValue: log });
  const clock = new TestClock();
  const engine = new Tempolite({ database: options.database, register: [ExpenseApproval], container: tsyringeContainer(scope), clock, logger: silentLogger });
  await engine.start();
  try {
    const run = `${Date.now()}`;
    const expenses: Expense[] = [
      { id: `EXP-${run}-1`, employee: 'ana@example.com', amount: 42.5, description: 'team lunch' },
      { id: `EXP-${run}-2`, employee: 'bo@example.com', amount: 1999, description: 'a standing desk' },
      { id: `EXP-${run}-3`, employee: 'cy@example.com', amount: 120, description: 'conference ticket' },
    ];
    const handles: WorkflowHandle<ExpenseOutcome>[] = [];
    for (const expense of expenses) {
      log(`Filing ${expense.id}`);
      handles.push(await engine.startWorkflow(ExpenseApproval, 'approve', [expense], { id: expense.id }));
    }
    await until(async () => (await Promise.all(handles.map((h) => h.status()))).every((status) => status === 'waiting'));
    const heldWhileWaiting = engine.inMemoryCount;
    log(`All three wait for a decision; bodies held in memory: ${heldWhileWaiting}`);

    const [approved, rejected, forgotten] = handles as [WorkflowHandle<ExpenseOutcome>, WorkflowHandle<ExpenseOutcome>, WorkflowHandle<ExpenseOutcome>];
    log(`Manager approves ${approved.workflowId}`);
    await approved.signal('approve', { by: 'maria' });
    log(`Manager rejects ${rejected.workflowId}`);
    await rejected.signal('reject', { by: 'maria', note: 'over the furniture budget' });
    await Promise.all([approved.result(), rejected.result()]);

    log(`Three days pass without a decision on ${forgotten.workflowId}`);
    clock.advance('3d');
    await forgotten.result();

    const outcomes: Record<string, ExpenseOutcome> = {};
    for (const handle of handles) {
      outcomes[handle.workflowId] = await handle.result();
      log(`${handle.workflowId}: ${JSON.stringify(outcomes[handle.workflowId])}`);
    }
    return { outcomes, heldWhileWaiting };
  } finally {
    await engine.close();
  }
}

/** Polls `check` every few milliseconds until it holds. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 5));
}
