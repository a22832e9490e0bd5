import { AsyncLocalStorage } from 'node:async_hooks';
import type { Duration } from '../engine/duration.js';
import type { RetryPolicyOptions } from '../engine/retry-policy.js';
import type { SignalResult } from '../engine/waits/signal-types.js';
import type { Registration } from '../registry/registration.js';
import type { ActivityContext } from './activity-context.js';

/** Options that one step call takes from the context's builder. */
/** A builder's options waiting for the step call its `run()` makes. */
export interface PendingOptions {
  readonly options: StepCallOptions;
  taken: boolean;
  /** The builder whose `run()` this one's runs in: the one step call takes both, and is that one's call too. */
  readonly outer?: PendingOptions;
}

export interface StepCallOptions {
  /** Explicit step id, instead of `name#occurrence`. */
  readonly id?: string;
  /** Retry policy for this call, over the registration's. */
  readonly retry?: RetryPolicyOptions;
  /** Attempt timeout for this call, over the registration's. */
  readonly timeout?: Duration;
  /** Queue of a child workflow started by this call. */
  readonly queue?: string;
  /** The call whose options these are, named in errors (`workflowContext().child()`); undefined: the builder's methods. */
  readonly givenBy?: string;
}

/** Facts about the running workflow execution. */
export interface WorkflowInfo {
  /** The workflow entity's id (user-chosen or generated). */
  readonly workflowId: string;
  /** The run (execution tree) it belongs to. */
  readonly runId: string;
  /** Durable name of the workflow. */
  readonly workflowName: string;
  /** Id of this entry into the body. */
  readonly executionId: string;
  /** Continue-as-new generation, from 0. */
  readonly generation: number;
  /** 1 for the first attempt of the body, 2 after its first failure, ... */
  readonly attempt: number;
}

/** What the engine's per-execution runtime offers to dispatchers and contexts. */
export interface WorkflowRuntimeApi {
  readonly info: WorkflowInfo;
  /** Runs `registration` as a durable step of this execution. */
  callStep(registration: Registration, thisArg: unknown, args: readonly unknown[], options: StepCallOptions | undefined): Promise<unknown>;
  /** Starts a workflow in a new run, once. */
  startDetached(registration: Registration, args: readonly unknown[], options: DetachedStartOptions): Promise<{ workflowId: string; runId: string }>;
  /** Ends this generation and re-enters the body with `args` as the next one. */
  continueAsNew(args: readonly unknown[]): Promise<never>;
  /** Compensates the saga steps completed so far in this body, latest first (sagas, issue 3). */
  compensate(): Promise<void>;
  /** Sleeps `ms` durably, as a step (issue 5). */
  sleep(ms: number): Promise<void>;
  /** Waits for one of the named signals, as a step; `timeoutMs` undefined waits without a deadline (issue 5). */
  waitForSignal(names: readonly string[], timeoutMs: number | undefined): Promise<SignalResult<unknown>>;
  /** The version of a code change this workflow runs (arguments checked by the caller). */
  version(changeId: string, minSupported: number, maxSupported: number): Promise<number>;
}

/** Options of a detached start from inside a workflow. */
export interface DetachedStartOptions {
  readonly id?: string;
  readonly queue?: string;
  readonly priority?: number;
  readonly timeout?: Duration;
}

/** Ambient state while a workflow body runs. */
export interface WorkflowScope {
  readonly kind: 'workflow';
  readonly runtime: WorkflowRuntimeApi;
  /** Set by `withId(...).run(fn)`; taken by the first step call inside `fn`. */
  readonly pending?: PendingOptions;
}

/** Ambient state while a step (activity, side effect, saga) runs: decorated calls inside it are plain calls. */
export interface StepScope {
  readonly kind: 'step';
  readonly activity?: ActivityContext;
}

/** Either ambient scope. */
export type Scope = WorkflowScope | StepScope;

/** The AsyncLocalStorage that carries workflow and step scopes through awaits. */
export const ambient = new AsyncLocalStorage<Scope>();

/** The scope of the current async call chain, if any. */
export function currentScope(): Scope | undefined {
  return ambient.getStore();
}

/** Starts a workflow from a call made outside any workflow, and awaits its result. Installed by a started engine. */
export type OutsideWorkflowStarter = (registration: Registration, args: readonly unknown[]) => Promise<unknown>;

const STARTER_KEY = Symbol.for('tempolite.outside-starters');

function starters(): OutsideWorkflowStarter[] {
  const holder = globalThis as { [STARTER_KEY]?: OutsideWorkflowStarter[] };
  holder[STARTER_KEY] ??= [];
  return holder[STARTER_KEY];
}

/** Makes `starter` the one used by calls outside workflows; returns a function that removes it. */
export function installOutsideStarter(starter: OutsideWorkflowStarter): () => void {
  starters().push(starter);
  return () => {
    const list = starters();
    const index = list.lastIndexOf(starter);
    if (index >= 0) list.splice(index, 1);
  };
}

/** The most recently started engine's starter. */
export function outsideStarter(): OutsideWorkflowStarter | undefined {
  const list = starters();
  return list[list.length - 1];
}
