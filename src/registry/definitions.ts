import type { RetryPolicy } from '../engine/retry-policy.js';
import type { WorkflowSchedule } from '../engine/schedule/cron-schedule.js';
import type { AnyFunction, Constructor, Registration } from './registration.js';

/** Prefix Tempolite keeps for its own internal step names. */
export const RESERVED_PREFIX = 'tempolite.';

/** A validated workflow, ready to run. */
export interface WorkflowDefinition {
  readonly kind: 'workflow';
  readonly name: string;
  readonly registration: Registration;
  readonly retry: RetryPolicy;
  readonly queue: string;
  /** When it starts on its own, if it is scheduled. */
  readonly schedule?: WorkflowSchedule;
  /** The class whose instance runs the body (resolved through the container); absent for functions. */
  readonly target?: Constructor;
}

/** What undoes a saga step. */
export type Compensation = { readonly method: string } | { readonly fn: AnyFunction };

/** A validated activity, side effect or saga step. */
export interface StepDefinition {
  readonly kind: 'activity' | 'sideEffect' | 'saga';
  readonly name: string;
  readonly registration: Registration;
  readonly retry: RetryPolicy;
  /** Longest an attempt may run, in milliseconds (activities and saga transactions); none when absent. */
  readonly timeoutMs?: number;
  /** Sagas only. */
  readonly compensation?: Compensation;
  /** Sagas only. */
  readonly compensationRetry?: RetryPolicy;
}

/** Either definition. */
export type Definition = WorkflowDefinition | StepDefinition;
