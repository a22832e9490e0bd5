import type { ServiceContainer } from '../di/service-container.js';
import type { Observer } from '../events/observer.js';
import type { Registry } from '../registry/registry.js';
import type { PayloadEncoder } from '../store/codec.js';
import type { WorkflowStore } from '../store/workflow-store.js';
import type { Clock } from './clock.js';
import type { ResolvedOptions } from './engine-options.js';
import type { Logger } from './logger.js';

/** What the engine's parts share once it has started. */
export interface EngineDeps {
  readonly store: WorkflowStore;
  readonly registry: Registry;
  readonly payloads: PayloadEncoder;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly container: ServiceContainer;
  readonly options: ResolvedOptions;
  readonly workerId: string;
  /** Wakes a workflow (signal arrived, child finished, cancel) and pokes the worker of its queue. */
  readonly wake: (workflowId: string) => Promise<void>;
  /** Tells this engine's worker of `queue` that work may be waiting there. */
  readonly poke: (queue: string) => void;
  /** The workflows this engine's workers hold leases on now (claimed, running, or pausing before a re-run). */
  readonly held: () => string[];
  /** Lifecycle events, log lines and spans (issue 9); absent when engine parts run alone (unit tests). */
  readonly observer?: Observer;
}
