import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActivityFailure, WorkflowFailure } from '../../src/errors.js';

/** The README's replacer for logging a description as JSON, as written there (this copy is type-checked). */
const README_REPLACER = '(_key: string, value: unknown) => (value instanceof Error ? { ...value, name: value.name, message: value.message, cause: value.cause } : value)';
const replacer = (_key: string, value: unknown) => (value instanceof Error ? { ...value, name: value.name, message: value.message, cause: value.cause } : value);

class CardDeclined extends Error {
  constructor(readonly orderId: string) {
    super(`card declined for ${orderId}`);
    this.name = 'CardDeclined';
  }
}

describe("the README's JSON replacer for a description", () => {
  it('is the one the README shows', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(`JSON.stringify(d, ${README_REPLACER})`);
  });

  it("keeps each error's name, message, fields and cause chain", () => {
    const failure = new WorkflowFailure('o-1', 'shop.order', 'run-1', new ActivityFailure('o-1', 'shop.charge#0', 'shop.charge', 3, new CardDeclined('o-1')));
    const json = JSON.parse(JSON.stringify({ error: failure }, replacer)) as { error: Record<string, unknown> };
    expect(json.error).toMatchObject({
      name: 'WorkflowFailure',
      code: 'TEMPOLITE_WORKFLOW_FAILED',
      workflowId: 'o-1',
      cause: { name: 'ActivityFailure', stepId: 'shop.charge#0', attempts: 3, cause: { name: 'CardDeclined', message: 'card declined for o-1', orderId: 'o-1' } },
    });
  });
});
