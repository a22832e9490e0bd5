import { v5, v7 } from 'uuid';

/** A new time-ordered id (UUID v7): sorts by creation, indexes stay compact. */
export function newId(): string {
  return v7();
}

/** Namespace of the name-based ids below (a fixed random UUID: changing it changes every key). */
const STEP_KEY_NAMESPACE = '5a0f3c1e-8d2b-4f6a-9c7e-2b4d6f8a0c13';

/**
 * The idempotency key of a step (UUID v5 of its run, workflow, generation and
 * step id): the same on every attempt, retry and recovery, even when a crash
 * came before the step's first record was committed; a new run (a workflow id
 * started again after pruning) gets new keys.
 */
export function stepIdempotencyKey(runId: string, workflowId: string, generation: number, stepId: string): string {
  return v5(JSON.stringify([runId, workflowId, generation, stepId]), STEP_KEY_NAMESPACE);
}

/**
 * The idempotency key of a saga step's compensation (UUID v5 of the saga entity's id): a UUID as the
 * transaction's is, for APIs that take only UUIDs, the same on every compensation attempt, and never
 * the transaction's (a different name in the same namespace).
 */
export function compensationIdempotencyKey(sagaEntityId: string): string {
  return v5(JSON.stringify(['compensation', sagaEntityId]), STEP_KEY_NAMESPACE);
}
