import type { RetryPolicyOptions } from '../engine/retry-policy.js';
import type { ScheduleOptions } from '../engine/schedule/cron-schedule.js';
import { decorateMethod, type AsyncMethod } from './decorate-method.js';

/** Options of `@Workflow`. */
export interface WorkflowOptions {
  /** Durable name, stored with every run. Keep it stable across deployments. @default `ClassName.method` */
  name?: string;
  /** How the whole body is retried after it throws. @default `{ maxAttempts: 1 }` (no retry) */
  retry?: RetryPolicyOptions;
  /** Queue the workflow runs on unless the start names another. @default 'default' */
  queue?: string;
  /**
   * Starts the workflow on its own at every tick of a cron pattern (read in UTC unless `timezone` says
   * otherwise), with the tick's time as its only argument. Each tick is one workflow, started once by
   * whichever engine with workers runs then, under the id `name@tick` (e.g. `reports.daily@2026-12-02T06:00:00.000Z`).
   * @default not scheduled
   */
  schedule?: string | ScheduleOptions;
}

/**
 * Marks a method as a durable workflow. Called inside another workflow it runs
 * as a child; called anywhere else it starts durably and resolves with its result.
 */
export function Workflow(options?: WorkflowOptions) {
  return <T extends AsyncMethod>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> =>
    decorateMethod('workflow', 'Workflow', target, propertyKey, descriptor, options) as TypedPropertyDescriptor<T>;
}
