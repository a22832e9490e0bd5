import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { stringifyPlain, toPlain } from '../../src/cli/plain-json.js';
import { WorkflowNotFoundError } from '../../src/index.js';

describe('toPlain (the JSON of the CLI and the dashboard)', () => {
  it('turns the codec-supported types into plain JSON data', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(
      toPlain({
        big: 12n,
        at: new Date(Date.UTC(2030, 0, 1)),
        tags: new Set(['a', 'b']),
        byName: new Map([['x', 1]]),
        byNumber: new Map([[1, 'one']]),
        bytes: new Uint8Array([1, 2]),
        nothing: undefined,
        nan: Number.NaN,
        url: new URL('https://example.com/a'),
        cyclic,
      }),
    ).toEqual({
      big: '12',
      at: '2030-01-01T00:00:00.000Z',
      tags: ['a', 'b'],
      byName: { x: 1 },
      byNumber: [[1, 'one']],
      bytes: [1, 2],
      nan: 'NaN',
      url: 'https://example.com/a',
      cyclic: { name: 'loop', self: '[Circular]' },
    });
  });

  it('keeps an error’s name, message, code, ids and cause, not its stack', () => {
    const error = new Error('outer', { cause: new WorkflowNotFoundError('w-1') });
    const plain = JSON.parse(stringifyPlain(error)) as Record<string, unknown>;
    expect(plain).toEqual({
      name: 'Error',
      message: 'outer',
      cause: { name: 'WorkflowNotFoundError', message: 'No workflow with id "w-1".', code: 'TEMPOLITE_WORKFLOW_NOT_FOUND', workflowId: 'w-1' },
    });
  });
});
