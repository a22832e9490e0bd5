import type { RetryPolicyOptions } from '../engine/retry-policy.js';
import type { ScheduleOptions } from '../engine/schedule/cron-schedule.js';
import { decorateMethod, type AsyncMethod } from './decorate-method.js';

/** Options of `@Workflow`. */
export interface WorkflowOptions {
  /** Durable name, stored with every run. Keep it stable across deployments. @default `ClassName.method` */
  name?: string | undefined;
  /** How the whole body is retried after it throws. @default `{ maxAttempts: 1 }` (no retry) */
  retry?: RetryPolicyOptions | undefined;
  /** Queue the workflow runs on unless the start names another. @default 'default' */
  queue?: string | undefined;
  /**
   * Starts the workflow on its own at every tick of a cron pattern (read in UTC unless `timezone` says
   * otherwise), with the tick's time as its only argument. Each tick is one workflow, started once by
   * whichever engine with workers runs then, under the id `name@tick` (e.g. `reports.daily@2026-12-02T06:00:00.000Z`).
   * @default not scheduled
   */
  schedule?: string | ScheduleOptions | undefined;
}

/** A method a scheduled workflow may decorate: it gets the tick's time, and nothing else. */
export type ScheduledMethod = (scheduledAt: Date) => Promise<unknown>;

/** What `@Workflow(options)` returns: a method decorator for methods of type `M`. */
export type WorkflowDecorator<M extends AsyncMethod> = <T extends M>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>) => TypedPropertyDescriptor<T>;

/**
 * Marks a method as a durable workflow. Called inside another workflow it runs
 * as a child; called anywhere else it starts durably and resolves with its result.
 * With a `schedule`, the method must take the tick's time (`scheduledAt: Date`) or nothing.
 */
export function Workflow(options: WorkflowOptions & { schedule: string | ScheduleOptions }): WorkflowDecorator<ScheduledMethod>;
export function Workflow(options?: WorkflowOptions): WorkflowDecorator<AsyncMethod>;
export function Workflow(options?: WorkflowOptions): WorkflowDecorator<AsyncMethod> {
  return <T extends AsyncMethod>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> =>
    decorateMethod('workflow', 'Workflow', target, propertyKey, descriptor, options) as TypedPropertyDescriptor<T>;
}
