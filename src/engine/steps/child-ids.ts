/**
 * The workflow id of a child or detached workflow started at `stepId`:
 * derived, not random, so that starting it again after a crash finds the same
 * entity instead of creating a second one.
 */
export function derivedWorkflowId(parentId: string, generation: number, stepId: string): string {
  return generation === 0 ? `${parentId}/${stepId}` : `${parentId}/g${generation}/${stepId}`;
}
