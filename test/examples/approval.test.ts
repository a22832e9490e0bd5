import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { runApproval } from '../../examples/approval/approval.js';
import { checkConsistency } from '../helpers/consistency.js';
import { tempDatabase } from '../helpers/temp-db.js';
import { signalsOf, timersOf } from '../helpers/waits.js';

describe('examples/approval', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(() => cleanup?.());

  it('pays the approved claim, reports the rejected one, and escalates the one left alone for three days (time skipped)', async () => {
    const temp = tempDatabase();
    cleanup = temp.cleanup;
    const lines: string[] = [];
    const started = Date.now();
    const { outcomes, heldWhileWaiting } = await runApproval({ database: temp.file, log: (line) => lines.push(line) });
    expect(Date.now() - started).toBeLessThan(10_000);

    const [approved, rejected, escalated] = Object.keys(outcomes) as [string, string, string];
    expect(outcomes[approved]).toMatchObject({ status: 'paid', approvedBy: 'maria', paymentId: expect.stringMatching(/^PAY-\w{8}-42\.50$/) as unknown });
    expect(outcomes[rejected]).toEqual({ status: 'rejected', rejectedBy: 'maria', note: 'over the furniture budget' });
    expect(outcomes[escalated]).toEqual({ status: 'escalated', escalatedTo: 'director@example.com' });
    expect(heldWhileWaiting).toBe(0);

    const output = lines.join('\n');
    expect(output).toContain(`mail to bo@example.com: ${rejected} was rejected by maria: over the furniture budget`);
    expect(output).toContain(`mail to director@example.com: ${escalated} has waited 3d for a decision`);
    expect((await timersOf(temp.file, approved)).map((t) => t.status)).toEqual(['fired']);
    expect((await timersOf(temp.file, escalated)).map((t) => t.status)).toEqual(['timed_out']);
    expect((await signalsOf(temp.file, rejected))).toEqual([{ name: 'reject', consumedStepId: 'tempolite.signal#0', consumedGeneration: 0 }]);
    expect(await checkConsistency(temp.file)).toEqual([]);
  });
});
