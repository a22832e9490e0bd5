import 'reflect-metadata';
import { container } from 'tsyringe';
import { Tempolite, formatRunTree, tsyringeContainer, type WorkflowDescription, type WorkflowHandle } from '../../src/index.js';
import { DEMO_LOG, OrderService, type Order, type Receipt } from './services.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** SQLite file the engine works on. */
  readonly database: string;
  /** Where lines go. @default console.log */
  readonly log?: (line: string) => void;
}

/** What one run of the demo produced. */
export interface DemoResult {
  readonly workflowId: string;
  readonly receipt: Receipt;
  readonly tree: string;
}

/** Steps the order workflow makes: one side effect and three activities. */
const TOTAL_STEPS = 4;

/**
 * Places one order through a durable workflow on `database`, prints progress
 * while it runs, then prints the run as a tree and closes the engine.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  // A child container per run: the services get this run's printer by constructor injection.
  const scope = container.createChildContainer();
  scope.register(DEMO_LOG, { useValue: log });
  const engine = new Tempolite({ database: options.database, register: [OrderService], container: tsyringeContainer(scope) });
  await engine.start();
  try {
    const order: Order = { customer: 'Ana', email: 'ana@example.com', items: [{ sku: 'book', quantity: 2 }, { sku: 'pen', quantity: 1 }], total: 42.5 };
    const workflowId = `order-${Date.now()}`;
    log(`Starting workflow ${workflowId} (demo.placeOrder) on ${options.database}`);
    const handle = await engine.startWorkflow(OrderService, 'placeOrder', [order], { id: workflowId });
    const again = await engine.startWorkflow(OrderService, 'placeOrder', [order], { id: workflowId });
    log(`Starting ${workflowId} again returns the same workflow (idempotent start): ${again.runId === handle.runId}`);

    const receipt = await watch(handle, log);
    log(`Completed: order ${receipt.orderNo}, charge ${receipt.chargeId}, receipt mailed to ${receipt.mailedTo.split(':')[0] ?? ''}`);
    const tree = formatRunTree(await handle.describe());
    log('');
    log(tree);
    return { workflowId, receipt, tree };
  } finally {
    await engine.close();
  }
}

/** Awaits the result while polling `describe()` and printing each step as its status changes. */
async function watch(handle: WorkflowHandle<Receipt>, log: (line: string) => void): Promise<Receipt> {
  let finished = false;
  const result = handle.result().finally(() => {
    finished = true;
  });
  const reported = new Map<string, string>();
  const report = (description: WorkflowDescription): void => {
    const done = description.steps.filter((step) => step.status === 'completed').length;
    for (const step of description.steps) {
      const key = `${step.status}/${step.attempts}`;
      if (reported.get(step.stepId) === key) continue;
      reported.set(step.stepId, key);
      const last = step.executions[step.executions.length - 1];
      const why = step.status === 'retrying' && last?.error ? ` after ${last.error.name}: ${last.error.message}` : '';
      log(`  [${done}/${TOTAL_STEPS} done] ${step.kind} ${step.stepId}: ${step.status}, ${step.attempts} attempt${step.attempts === 1 ? '' : 's'}${why}`);
    }
  };
  while (!finished) {
    report(await handle.describe());
    await Promise.race([result.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 25))]);
  }
  report(await handle.describe());
  return result;
}
