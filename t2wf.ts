export class Retry {
  @Activity({ retry: { maxAttempts: 3, initialIntervalMs: 2500, backoffCoefficient: 1 } }) async flaky(): Promise<string> {
    const c = activityContext(); log({ kind: 'flaky', wf: c.workflowId, attempt: c.attempt, key: c.idempotencyKey }); throw new Error('nope ' + c.attempt);
  }
  @Workflow() async retrier(): Promise<string> { return this.flaky(); }
}
