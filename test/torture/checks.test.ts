import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { SuperJsonCodec } from '../../src/index.js';
import { checkAttempts, checkCompensations, checkSideEffects } from './check-ledger.js';
import { SIDE_FAILURE } from './flow.js';
import type { AttemptRow, DbSnapshot } from './db-snapshot.js';
import type { LedgerLine } from './ledger.js';
import type { Expected, ExpectedStep } from './oracle.js';

/** The torture checks must catch what they claim to: synthetic ledgers and rows, no engine. */
function snapshot(parts: Partial<DbSnapshot>): DbSnapshot {
  return { workflows: new Map(), attempts: [], steps: [], sideEffects: [], signals: [], tasks: 0, runningExecutions: 0, runningAttempts: 0, recoveries: 0, interruptedAttempts: 0, ...parts };
}
const step = { kind: 'act' as const, wf: 'w', gen: 0, step: 'torture.act#0', att: 1 };
const line = (ev: LedgerLine['ev'], inc: number, extra: Partial<LedgerLine> = {}): LedgerLine => ({ ev, inc, ...step, ...extra });
const row = (status: string, inc: number, extra: Partial<AttemptRow> = {}): AttemptRow => ({ ...step, status, inc, ...extra });

describe('torture checks', () => {
  it('accept a re-execution by an incarnation that was killed while the attempt ran', () => {
    const lines = [line('start', 0), line('start', 1), line('ok', 1)];
    const result = checkAttempts(lines, snapshot({ attempts: [row('interrupted', 0), row('completed', 1)] }), new Set([0]));
    expect(result.problems).toEqual([]);
    expect(result.stats).toMatchObject({ executions: 2, attempts: 1, reexecutions: 1, maxPerAttempt: 2 });
  });

  it('flag a re-execution no kill explains, a double run in one process, a recording without a run, a wrong outcome', () => {
    const notKilled = checkAttempts([line('start', 0), line('ok', 0), line('start', 1), line('ok', 1)], snapshot({ attempts: [row('completed', 1)] }), new Set());
    expect(notKilled.problems).toEqual([expect.stringContaining('also ran in incarnation 0, which was not killed')]);
    const twice = checkAttempts([line('start', 0), line('start', 0), line('ok', 0)], snapshot({ attempts: [row('completed', 0)] }), new Set());
    expect(twice.problems).toEqual([expect.stringContaining('ran 2 times in incarnation 0')]);
    const phantom = checkAttempts([], snapshot({ attempts: [row('completed', 0)] }), new Set());
    expect(phantom.problems).toEqual([expect.stringContaining('which never ran it')]);
    const wrong = checkAttempts([line('start', 0), line('fail', 0)], snapshot({ attempts: [row('completed', 0)] }), new Set());
    expect(wrong.problems).toEqual([expect.stringContaining('ended it with fail')]);
    const lost = checkAttempts([line('start', 0), line('ok', 0)], snapshot({ attempts: [] }), new Set());
    expect(lost.problems).toEqual([expect.stringContaining('0 final attempt rows')]);
  });

  it('flag a side effect whose recorded value is not the one produced, or produced twice by one process', () => {
    const side = { wf: 'w', gen: 0, step: 'torture.side#0', name: 'torture.side', error: null, executions: 1, inc: 1 };
    const lines: LedgerLine[] = [
      { ev: 'side', kind: 'side', wf: 'w', gen: 0, step: 'torture.side#0', att: 0, inc: 0, value: 'first' },
      { ev: 'side', kind: 'side', wf: 'w', gen: 0, step: 'torture.side#0', att: 0, inc: 1, value: 'second' },
    ];
    expect(checkSideEffects(lines, snapshot({ sideEffects: [{ ...side, output: '{"json":"second"}' }] }), new Set([0])).problems).toEqual([]);
    expect(checkSideEffects(lines, snapshot({ sideEffects: [{ ...side, output: '{"json":"first"}' }] }), new Set([0])).problems).toEqual([
      expect.stringContaining('recorded first, but incarnation 1 produced second'),
    ]);
    expect(checkSideEffects([...lines, lines[1]!], snapshot({ sideEffects: [{ ...side, output: '{"json":"second"}' }] }), new Set([0])).problems).toEqual([
      expect.stringContaining('produced 2 values in incarnation 1'),
    ]);
  });

  it("flag a failing side effect whose recorded error does not hold the value its recording run made", () => {
    const codec = new SuperJsonCodec();
    const side = { wf: 'w', gen: 0, step: 'torture.sideFail#0', name: 'torture.sideFail', output: null, executions: 1, inc: 1 };
    const lines: LedgerLine[] = [
      { ev: 'side', kind: 'side', wf: 'w', gen: 0, step: 'torture.sideFail#0', att: 0, inc: 0, value: 'first' },
      { ev: 'side', kind: 'side', wf: 'w', gen: 0, step: 'torture.sideFail#0', att: 0, inc: 1, value: 'second' },
    ];
    const failed = (value: string): DbSnapshot => snapshot({ sideEffects: [{ ...side, error: codec.encode(new Error(`${SIDE_FAILURE}${value}`)) }] });
    expect(checkSideEffects(lines, failed('second'), new Set([0])).problems).toEqual([]);
    expect(checkSideEffects(lines, failed('first'), new Set([0])).problems).toEqual([expect.stringContaining('recorded first, but incarnation 1 produced second')]);
    expect(checkSideEffects(lines, snapshot({ sideEffects: [{ ...side, error: null }] }), new Set([0])).problems).toEqual([expect.stringContaining('recorded undefined')]);
  });

  it('flag compensations out of order and a compensation of a step that must stay', () => {
    const comp = (s: string, inc = 0): LedgerLine[] => [
      { ev: 'start', kind: 'comp', wf: 'w', gen: 0, step: s, att: 1, inc },
      { ev: 'ok', kind: 'comp', wf: 'w', gen: 0, step: s, att: 1, inc },
    ];
    const attempts = ['torture.saga#0', 'torture.saga#1'].map((s): AttemptRow => ({ kind: 'comp', wf: 'w', gen: 0, step: s, att: 1, status: 'completed', inc: 0 }));
    const expected = (order: string[], keep: string[] = []): Map<string, Expected> =>
      new Map([
        [
          'w',
          {
            id: 'w',
            name: 'torture.run',
            status: 'compensated',
            steps: new Map<string, ExpectedStep>([...order.map((k): [string, ExpectedStep] => [k, { kind: 'saga', status: 'compensated' }]), ...keep.map((k): [string, ExpectedStep] => [k, { kind: 'saga', status: 'completed' }])]),
            resumed: false,
            signals: [],
            generation: 0,
            compensationOrder: order,
          },
        ],
      ]);
    const lines = [...comp('torture.saga#1'), ...comp('torture.saga#0')];
    expect(checkCompensations(lines, snapshot({ attempts }), expected(['0:torture.saga#1', '0:torture.saga#0']))).toEqual([]);
    expect(checkCompensations(lines, snapshot({ attempts }), expected(['0:torture.saga#0', '0:torture.saga#1']))).toEqual([expect.stringContaining('expected [0:torture.saga#0, 0:torture.saga#1]')]);
    expect(checkCompensations(lines, snapshot({ attempts: attempts.slice(1) }), expected(['0:torture.saga#1'], ['0:torture.saga#0']))).toEqual([
      expect.stringContaining('0:torture.saga#0: compensated although it should not be'),
    ]);
  });
});
