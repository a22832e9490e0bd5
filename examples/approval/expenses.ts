import { inject, injectable } from 'tsyringe';
import { Activity, Workflow, activityContext, workflowContext } from '../../src/index.js';

/** An expense claim waiting for a manager's decision. */
export interface Expense {
  readonly id: string;
  readonly employee: string;
  readonly amount: number;
  readonly description: string;
}

/** What a manager sends with the `approve` or `reject` signal. */
export interface Decision {
  readonly by: string;
  readonly note?: string;
}

/** How an expense claim ended. */
export type ExpenseOutcome =
  | { readonly status: 'paid'; readonly approvedBy: string; readonly paymentId: string }
  | { readonly status: 'rejected'; readonly rejectedBy: string; readonly note: string }
  | { readonly status: 'escalated'; readonly escalatedTo: string };

/** DI token of the line printer the example's activities write to. */
export const APPROVAL_LOG = Symbol.for('tempolite.example.approval.log');

/** Prints one line; `main.ts` passes `console.log`, the test a collector. */
export type ApprovalLog = (line: string) => void;

/** How long a manager has to decide before the claim goes to their director. */
export const DECISION_TIMEOUT = '3d';

/**
 * The expense approval workflow: asks the employee's manager, then waits up
 * to three days for an `approve` or `reject` signal. Approved claims are
 * paid, rejected ones reported back, and a claim nobody decided on in time is
 * escalated. While it waits it holds no queue slot and no memory: the wait
 * is rows in the database, and the signal (or the deadline) wakes it.
 */
@injectable()
export class ExpenseApproval {
  constructor(@inject(APPROVAL_LOG) private readonly log: ApprovalLog) {}

  @Activity({ name: 'expense.askManager' })
  async askManager(expense: Expense): Promise<void> {
    this.log(`  mail to manager of ${expense.employee}: please approve ${expense.id} (${expense.amount.toFixed(2)} for ${expense.description})`);
  }

  @Activity({ name: 'expense.pay' })
  async pay(expense: Expense): Promise<string> {
    // The idempotency key is stable across retries: a payment API would deduplicate on it.
    return `PAY-${activityContext().idempotencyKey.slice(-8)}-${expense.amount.toFixed(2)}`;
  }

  @Activity({ name: 'expense.tellEmployee' })
  async tellEmployee(expense: Expense, message: string): Promise<void> {
    this.log(`  mail to ${expense.employee}: ${message}`);
  }

  @Activity({ name: 'expense.escalate' })
  async escalate(expense: Expense): Promise<string> {
    const director = 'director@example.com';
    this.log(`  mail to ${director}: ${expense.id} has waited ${DECISION_TIMEOUT} for a decision`);
    return director;
  }

  @Workflow({ name: 'expense.approval' })
  async approve(expense: Expense): Promise<ExpenseOutcome> {
    await this.askManager(expense);
    const decision = await workflowContext().waitForSignal<Decision>(['approve', 'reject'], { timeout: DECISION_TIMEOUT });
    if (decision.timedOut) {
      return { status: 'escalated', escalatedTo: await this.escalate(expense) };
    }
    if (decision.name === 'reject') {
      const note = decision.payload.note ?? 'no reason given';
      await this.tellEmployee(expense, `${expense.id} was rejected by ${decision.payload.by}: ${note}`);
      return { status: 'rejected', rejectedBy: decision.payload.by, note };
    }
    const paymentId = await this.pay(expense);
    await this.tellEmployee(expense, `${expense.id} was approved by ${decision.payload.by} and paid (${paymentId})`);
    return { status: 'paid', approvedBy: decision.payload.by, paymentId };
  }
}
