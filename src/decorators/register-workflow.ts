import type { ScheduleOptions } from '../engine/schedule/cron-schedule.js';
import type { WorkflowOptions } from './workflow.js';
import { registerFunction, type RegisteredFunction } from './register-function.js';

/**
 * Decorator-free twin of `@Workflow`: registers a plain async function as a
 * workflow under a durable name. Start it with `engine.startWorkflow(fn, args)`;
 * called inside a workflow it runs as a child, elsewhere it starts and awaits.
 */
export function registerWorkflow<A extends [] | [scheduledAt: Date], R>(
  name: string,
  fn: (...args: A) => Promise<R>,
  options: Omit<WorkflowOptions, 'name'> & { schedule: string | ScheduleOptions },
): RegisteredFunction<A, R>;
export function registerWorkflow<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => Promise<R>,
  options?: Omit<WorkflowOptions, 'name' | 'schedule'> & { schedule?: undefined },
): RegisteredFunction<A, R>;
export function registerWorkflow<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => Promise<R>,
  options?: Omit<WorkflowOptions, 'name'>,
): RegisteredFunction<A, R> {
  return registerFunction('workflow', 'registerWorkflow', name, fn, options);
}
