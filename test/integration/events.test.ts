import 'reflect-metadata';
import { Writable } from 'node:stream';
import {
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Exception,
  type Link,
  type Span,
  type SpanAttributeValue,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Activity, InvalidOptionsError, Saga, SideEffect, Workflow, WorkflowFailure, consoleLogger, type TempoliteEventName, type TempoliteEvents } from '../../src/index.js';
import { startEngine } from '../helpers/engine.js';
import { eventually } from '../helpers/eventually.js';
import { Latch } from '../helpers/latch.js';

class Doomed {
  @Activity({ name: 'doomed.step', retry: { maxAttempts: 2, initialIntervalMs: 1 } }) async step(): Promise<void> {
    throw new Error('never works');
  }
  @Workflow({ name: 'doomed.run' }) async run(): Promise<void> {
    await this.step();
  }
}

/** Two saga steps, then an activity that fails twice (its retries exhausted): the saga compensates. */
class Pausable {
  static entered = new Latch();
  static release = new Latch();
  @Activity({ name: 'pausable.hold' }) async hold(): Promise<string> {
    Pausable.entered.open();
    await Pausable.release.wait();
    return 'held';
  }
  @Activity({ name: 'pausable.after' }) async after(): Promise<string> {
    return 'after';
  }
  @Workflow({ name: 'pausable.run' }) async run(): Promise<string> {
    return (await this.hold()) + (await this.after());
  }
}

class Trip {
  static carFailures = 0;
  @SideEffect({ name: 'trip.ref' }) async ref(): Promise<string> {
    return 'REF-1';
  }
  @Saga({ name: 'trip.flight', compensate: 'cancelFlight' }) async bookFlight(ref: string): Promise<string> {
    return `F-${ref}`;
  }
  async cancelFlight(): Promise<void> {}
  @Saga({ name: 'trip.hotel', compensate: 'cancelHotel', compensationRetry: { maxAttempts: 2, initialIntervalMs: 1 } }) async bookHotel(ref: string): Promise<string> {
    return `H-${ref}`;
  }
  async cancelHotel(): Promise<void> {}
  @Activity({ name: 'trip.car', retry: { maxAttempts: 2, initialIntervalMs: 1 } }) async bookCar(): Promise<string> {
    Trip.carFailures += 1;
    throw new Error('no cars left');
  }
  @Workflow({ name: 'trip.book' }) async book(): Promise<string> {
    const ref = await this.ref();
    await this.bookFlight(ref);
    await this.bookHotel(ref);
    return this.bookCar();
  }
}

/** A saga step whose compensation fails once and waits out a backoff: under `suspendAfterMs: 0` the phase suspends and resumes. */
class Refund {
  static undoFailures = 0;
  @Saga({ name: 'refund.charge', compensate: 'refund', compensationRetry: { maxAttempts: 3, initialIntervalMs: 20 } }) async charge(): Promise<string> {
    return 'charged';
  }
  async refund(): Promise<void> {
    Refund.undoFailures += 1;
    if (Refund.undoFailures === 1) throw new Error('gateway down');
  }
  @Activity({ name: 'refund.ship', retry: { maxAttempts: 1 } }) async ship(): Promise<void> {
    throw new Error('no courier');
  }
  @Workflow({ name: 'refund.order' }) async order(): Promise<void> {
    await this.charge();
    await this.ship();
  }
}

class Greeter {
  @Activity({ name: 'greet.hello' }) async hello(name: string): Promise<string> {
    return `hello ${name}`;
  }
  @Workflow({ name: 'greet.run', retry: { maxAttempts: 2, initialIntervalMs: 1 } }) async run(name: string): Promise<string> {
    return this.hello(name);
  }
}

const ALL: TempoliteEventName[] = [
  'workflow.started',
  'workflow.completed',
  'workflow.failed',
  'workflow.retried',
  'workflow.compensating',
  'workflow.compensated',
  'workflow.compensation_failed',
  'workflow.cancelled',
  'step.started',
  'step.completed',
  'step.failed',
  'compensation.started',
  'compensation.completed',
  'compensation.failed',
];

/** What `fn` threw, or undefined. */
function captured(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Every event as `name step/attempt` lines, in emission order. */
function record(engine: { on<K extends TempoliteEventName>(name: K, listener: (event: TempoliteEvents[K]) => void): () => void }): { lines: string[]; events: { name: string; event: object }[] } {
  const lines: string[] = [];
  const events: { name: string; event: object }[] = [];
  for (const name of ALL) {
    engine.on(name, (event) => {
      events.push({ name, event });
      const step = 'stepId' in event ? ` ${event.stepId}` : '';
      const attempt = 'attempt' in event && 'stepId' in event ? `/${event.attempt}` : '';
      lines.push(`${name}${step}${attempt}`);
    });
  }
  return { lines, events };
}

describe('lifecycle events', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('a saga that compensates emits its events in order, each after its rows are committed', async () => {
    const started = await startEngine({ register: [Trip] });
    dispose = started.dispose;
    const { engine } = started;
    const { lines, events } = record(engine);
    // Committed before the event: describe() (a read of the database) already shows what the event says.
    const checks: Promise<void>[] = [];
    engine.on('step.completed', (event) => {
      checks.push(
        engine.getHandle(event.workflowId).then(async (handle) => {
          const step = (await handle.describe()).steps.find((s) => s.stepId === event.stepId);
          expect(step?.executions.some((a) => a.attempt === event.attempt && a.status === 'completed')).toBe(true);
        }),
      );
    });
    const handle = await engine.startWorkflow(Trip, 'book', [], { id: 'trip-1' });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    await eventually(() => lines.includes('workflow.compensated'), 'the compensated event');
    await Promise.all(checks);
    expect(lines).toEqual([
      'workflow.started',
      'step.started trip.ref#0/1',
      'step.completed trip.ref#0/1',
      'step.started trip.flight#0/1',
      'step.completed trip.flight#0/1',
      'step.started trip.hotel#0/1',
      'step.completed trip.hotel#0/1',
      'step.started trip.car#0/1',
      'step.failed trip.car#0/1',
      'step.started trip.car#0/2',
      'step.failed trip.car#0/2',
      'workflow.compensating',
      'compensation.started trip.hotel#0/1',
      'compensation.completed trip.hotel#0/1',
      'compensation.started trip.flight#0/1',
      'compensation.completed trip.flight#0/1',
      'workflow.compensated',
    ]);
    const failed = events.filter((e) => e.name === 'step.failed').map((e) => e.event as TempoliteEvents['step.failed']);
    expect(failed.map((e) => [e.willRetry, e.error.message, e.kind, e.name])).toEqual([
      [true, 'no cars left', 'activity', 'trip.car'],
      [false, 'no cars left', 'activity', 'trip.car'],
    ]);
    const compensating = events.find((e) => e.name === 'workflow.compensating')?.event as TempoliteEvents['workflow.compensating'];
    expect(compensating.error?.name).toBe('ActivityFailure');
    expect(compensating.resumed).toBe(false);
    const startedEvent = events[0]?.event as TempoliteEvents['workflow.started'];
    expect(startedEvent).toMatchObject({ workflowId: 'trip-1', runId: handle.runId, workflowName: 'trip.book', reason: 'start', attempt: 1 });
    expect(startedEvent.at).toBeInstanceOf(Date);
    // Each event's durationMs is the one describe() shows for its attempt (the CLI's, the dashboard's).
    const description = await handle.describe();
    const shown = (stepId: string, attempt: number, compensation: boolean) =>
      description.steps.find((s) => s.stepId === stepId)?.executions.find((x) => x.attempt === attempt && (x.kind === 'compensation') === compensation)?.durationMs;
    const timed = events.filter((e) => 'durationMs' in e.event) as { name: string; event: { stepId: string; attempt: number; durationMs: number } }[];
    expect(timed.length).toBe(7);
    for (const { name, event } of timed) expect(event.durationMs, `${name} ${event.stepId}/${event.attempt}`).toBe(shown(event.stepId, event.attempt, name.startsWith('compensation.')));
  });

  it('workflow.compensating fires once with resumed: false, then with resumed: true when the phase goes on after a suspending backoff', async () => {
    Refund.undoFailures = 0;
    const started = await startEngine({ register: [Refund], suspendAfterMs: 0 });
    dispose = started.dispose;
    const { engine } = started;
    const { lines, events } = record(engine);
    const handle = await engine.startWorkflow(Refund, 'order', [], { id: 'refund-1' });
    await handle.result().catch(() => undefined);
    await eventually(() => lines.includes('workflow.compensated'), 'the compensated event');
    const phases = events.filter((e) => e.name === 'workflow.compensating').map((e) => e.event as TempoliteEvents['workflow.compensating']);
    expect(phases.map((e) => e.resumed)).toEqual([false, true]);
    expect(phases.every((e) => e.error?.name === 'ActivityFailure')).toBe(true);
    expect(Refund.undoFailures).toBe(2);
    expect((await handle.describe()).executions.filter((e) => e.reason === 'compensate').map((e) => e.status)).toEqual(['suspended', 'completed']);
  });

  it('a workflow that fails, retries and completes; engine.retry() of a failed one; a listener that throws harms nothing', async () => {
    const started = await startEngine({ register: [Greeter, Trip] });
    dispose = started.dispose;
    const { engine } = started;
    const { lines } = record(engine);
    engine.on('workflow.started', () => {
      throw new Error('a broken listener');
    });
    const durations: number[] = [];
    engine.on('workflow.completed', (e) => durations.push(e.durationMs));
    const handle = await engine.startWorkflow(Greeter, 'run', ['ana'], { id: 'greet-1' });
    expect(await handle.result()).toBe('hello ana');
    await eventually(() => lines.includes('workflow.completed'), 'completed');
    expect(lines).toEqual(['workflow.started', 'step.started greet.hello#0/1', 'step.completed greet.hello#0/1', 'workflow.completed']);
    expect(durations).toEqual([(await handle.describe()).executions.at(-1)?.durationMs]);
  });

  it("a listener's failure is logged with the ids of the event it failed on", async () => {
    const lines: { fields: Record<string, unknown>; message: string | undefined }[] = [];
    const keep = (fields: object, message?: string): void => {
      lines.push({ fields: fields as Record<string, unknown>, message });
    };
    const started = await startEngine({ register: [Greeter], logger: { debug: keep, info: keep, warn: keep, error: keep } });
    dispose = started.dispose;
    started.engine.on('step.completed', () => {
      throw new Error('a broken listener');
    });
    const handle = await started.engine.startWorkflow(Greeter, 'run', ['di'], { id: 'greet-listener' });
    await handle.result();
    await eventually(() => lines.some((l) => l.message === 'a listener of "step.completed" failed'), 'the listener line');
    const line = lines.find((l) => l.message === 'a listener of "step.completed" failed')!;
    const execution = (await handle.describe()).executions[0]!;
    expect(line.fields).toMatchObject({ event: 'step.completed', workflowId: 'greet-listener', runId: handle.runId, executionId: execution.id, stepId: 'greet.hello#0' });
  });

  it('engine.on refuses an unknown event and a listener that is not a function; the engine goes on', async () => {
    const started = await startEngine({ register: [Greeter] });
    dispose = started.dispose;
    const { engine } = started;
    const on = engine.on.bind(engine) as (name: unknown, listener: unknown) => () => void;
    const misspelt = captured(() => on('workflow.finished', () => undefined));
    expect(misspelt).toBeInstanceOf(InvalidOptionsError);
    expect(misspelt).toMatchObject({ code: 'TEMPOLITE_INVALID_OPTIONS', subject: 'engine.on()', path: 'event' });
    expect(String((misspelt as Error).message)).toContain('workflow.completed');
    expect(captured(() => on(42, () => undefined))).toBeInstanceOf(InvalidOptionsError);
    const notAFunction = captured(() => on('workflow.started', 'log it'));
    expect(notAFunction).toMatchObject({ code: 'TEMPOLITE_INVALID_OPTIONS', subject: 'engine.on("workflow.started")', path: 'listener' });
    const heard: string[] = [];
    engine.on('workflow.completed', (e) => heard.push(e.workflowId));
    expect(await (await engine.startWorkflow(Greeter, 'run', ['el'], { id: 'greet-on' })).result()).toBe('hello el');
    await eventually(() => heard.includes('greet-on'), 'the completed event');
    expect((await engine.list()).map((w) => `${w.workflowId} ${w.status}`)).toEqual(['greet-on completed']);
  });

  it('a cancelled waiting workflow emits workflow.cancelled; removed listeners hear nothing', async () => {
    const started = await startEngine({ register: [Trip, Greeter] });
    dispose = started.dispose;
    const { engine } = started;
    const heard: string[] = [];
    const off = engine.on('workflow.completed', () => heard.push('completed'));
    off();
    engine.on('workflow.cancelled', (e) => heard.push(`cancelled ${e.workflowId} ${e.workflowName}`));
    const handle = await engine.startWorkflow(Greeter, 'run', ['bo'], { id: 'greet-2' });
    await handle.result();
    expect(heard).toEqual([]);
    // A pending workflow no worker holds is cancelled at once by the call itself (here from a client-mode engine).
    await engine.close();
    const second = await startEngine({ register: [Trip, Greeter], workers: false }, started.file);
    const cancelled: string[] = [];
    second.engine.on('workflow.cancelled', (e) => cancelled.push(`${e.workflowId} ${e.workflowName} ${e.runId} timedOut=${String(e.timedOut)} ${e.error.name}`));
    const pending = await second.engine.startWorkflow(Greeter, 'run', ['cy'], { id: 'greet-3' });
    await pending.cancel();
    expect(cancelled).toEqual([`greet-3 greet.run ${pending.runId} timedOut=false WorkflowCancelledFailure`]);
    await second.engine.close();
  });

  it('workflow.paused comes from the engine whose body stopped for the pause, and from the client that paused an idle workflow', async () => {
    const started = await startEngine({ register: [Pausable] });
    dispose = started.dispose;
    const { engine } = started;
    const heard: string[] = [];
    engine.on('workflow.paused', (e) => heard.push(`${e.workflowId} ${e.reason} ${e.executionId ?? '-'}`));
    const handle = await engine.startWorkflow(Pausable, 'run', [], { id: 'pause-1' });
    await Pausable.entered.wait();
    await handle.pause();
    // Asked, not yet taken: the step in flight finishes first.
    expect(heard).toEqual([]);
    Pausable.release.open();
    await eventually(() => heard.length === 1, 'the pause to be taken');
    const description = await handle.describe();
    expect(description.status).toBe('paused');
    expect(heard).toEqual([`pause-1 requested ${description.executions[0]!.id}`]);
    await engine.close();

    // Pending, no body: the client's own pause() pauses it, and the client emits the event.
    const client = await startEngine({ register: [Pausable], workers: false }, started.file);
    const fromClient: string[] = [];
    client.engine.on('workflow.paused', (e) => fromClient.push(`${e.workflowId} ${e.workflowName} ${e.reason}`));
    const pending = await client.engine.startWorkflow(Pausable, 'run', [], { id: 'pause-2' });
    await pending.pause();
    expect(fromClient).toEqual(['pause-2 pausable.run requested']);
    await pending.pause();
    expect(fromClient).toHaveLength(1);
    await client.dispose();
  });
});

describe('logging through a pino logger', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());

  it('writes the lifecycle as JSON lines with the ids', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter((l) => l.length > 0)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level: 'debug' }, stream);
    const started = await startEngine({ register: [Trip], logger });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Trip, 'book', [], { id: 'trip-logged' });
    await handle.result().catch(() => undefined);
    await eventually(() => lines.some((l) => l.msg === 'workflow compensated'), 'the compensated line');
    const messages = lines.filter((l) => l.workflowId === 'trip-logged').map((l) => `${String(l.level)} ${String(l.msg)}${typeof l.stepId === 'string' ? ` ${l.stepId}` : ''}`);
    expect(messages).toContain('30 workflow started');
    expect(messages).toContain('20 step completed trip.flight#0');
    expect(messages).toContain('30 step attempt failed trip.car#0');
    expect(messages).toContain('30 workflow compensating');
    // It failed, although its compensations ran: at warn, with the failure that started them.
    expect(messages.at(-1)).toBe('40 workflow compensated');
    expect((lines.find((l) => l.msg === 'workflow compensated')?.err as { name?: string } | undefined)?.name).toBe('ActivityFailure');
    const failedLine = lines.find((l) => l.msg === 'step attempt failed');
    expect((failedLine?.err as { message?: string } | undefined)?.message).toBe('no cars left');
    expect(failedLine).toMatchObject({ workflowName: 'trip.book', kind: 'activity', name: 'trip.car', willRetry: true });
  });

  it("the default console logger shows a workflow's terminal failure as a warning, and nothing of the lifecycle before it", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const started = await startEngine({ register: [Doomed, Greeter, Trip], logger: consoleLogger });
      dispose = started.dispose;
      await (await started.engine.startWorkflow(Greeter, 'run', ['x'])).result();
      const error = await (await started.engine.startWorkflow(Doomed, 'run', [], { id: 'doomed-1' })).result().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowFailure);
      // A saga workflow whose failure was compensated failed too.
      Trip.carFailures = 0;
      await (await started.engine.startWorkflow(Trip, 'book', [], { id: 'trip-undone' })).result().catch(() => undefined);
      await eventually(() => warn.mock.calls.length === 2, 'the warnings');
      expect(warn.mock.calls.map((call: unknown[]) => [call[0], (call[1] as { workflowId?: string }).workflowId, (call[1] as { err?: Error }).err?.name])).toEqual([
        ['[tempolite] workflow failed', 'doomed-1', 'ActivityFailure'],
        ['[tempolite] workflow compensated', 'trip-undone', 'ActivityFailure'],
      ]);
      expect([info.mock.calls, log.mock.calls]).toEqual([[], []]);
    } finally {
      warn.mockRestore();
      info.mockRestore();
      log.mockRestore();
    }
  });

  it('a logger that throws or rejects loses its lines, not the work: the workflow completes, one process warning says so', async () => {
    const broken = (): never => {
      throw new Error('transport down');
    };
    const logger = { debug: broken, info: broken, warn: broken, error: async (): Promise<void> => Promise.reject(new Error('transport down')), isLevelEnabled: () => true };
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const started = await startEngine({ register: [Greeter, Doomed], logger });
      dispose = started.dispose;
      const handle = await started.engine.startWorkflow(Greeter, 'run', ['x'], { id: 'greet-broken-logger' });
      expect(await handle.result()).toBe('hello x');
      // A failing workflow logs at error (the rejecting level) and still ends failed, after one attempt of its body.
      const doomed = await started.engine.startWorkflow(Doomed, 'run', [], { id: 'doomed-broken-logger' });
      expect(await doomed.result().catch((e: unknown) => e)).toBeInstanceOf(WorkflowFailure);
      const [ok, failed] = await Promise.all([handle.describe(), doomed.describe()]);
      expect([ok.status, ok.executions.map((e) => e.status)]).toEqual(['completed', ['completed']]);
      expect([failed.status, failed.executions.map((e) => e.status)]).toEqual(['failed', ['failed']]);
      await eventually(() => warnings.some((w) => (w as { code?: string }).code === 'TEMPOLITE_LOGGER_FAILED'), 'the warning');
      expect(warnings.filter((w) => (w as { code?: string }).code === 'TEMPOLITE_LOGGER_FAILED')).toHaveLength(1);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('at level info, step start and completion lines are not written', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    const started = await startEngine({ register: [Greeter], logger: pino({ level: 'info' }, stream) });
    dispose = started.dispose;
    await (await started.engine.startWorkflow(Greeter, 'run', ['x'], { id: 'greet-info' })).result();
    await eventually(() => lines.some((l) => l.msg === 'workflow completed'), 'the completed line');
    expect(lines.map((l) => l.msg)).toEqual(['workflow started', 'workflow completed']);
  });
});

/** A span as the in-memory tracer keeps it. */
interface RecordedSpan {
  readonly name: string;
  readonly spanId: string;
  readonly parentId: string | undefined;
  readonly attributes: Attributes;
  status: SpanStatus;
  exceptions: Exception[];
  ended: boolean;
}

/** The smallest TracerProvider of the API's interfaces: keeps every span in memory (no SDK is installed). */
class MemoryTracerProvider implements TracerProvider {
  readonly spans: RecordedSpan[] = [];
  private next = 1;

  getTracer(): Tracer {
    const spans = this.spans;
    const nextId = (): number => this.next++;
    const startSpan = (name: string, options?: SpanOptions, context?: Context): Span => {
      const parent = context === undefined ? undefined : trace.getSpan(context);
      const spanId = nextId().toString(16).padStart(16, '0');
      const recorded: RecordedSpan = { name, spanId, parentId: parent?.spanContext().spanId, attributes: { ...options?.attributes }, status: { code: SpanStatusCode.UNSET }, exceptions: [], ended: false };
      spans.push(recorded);
      const spanContext: SpanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId, traceFlags: 1 };
      const span: Span = {
        spanContext: () => spanContext,
        setAttribute: (key: string, value: SpanAttributeValue) => ((recorded.attributes as Record<string, SpanAttributeValue>)[key] = value, span),
        setAttributes: (attributes: Attributes) => (Object.assign(recorded.attributes, attributes), span),
        addEvent: () => span,
        addLink: (_link: Link) => span,
        addLinks: () => span,
        setStatus: (status: SpanStatus) => ((recorded.status = status), span),
        updateName: () => span,
        end: (_time?: TimeInput) => {
          recorded.ended = true;
        },
        isRecording: () => !recorded.ended,
        recordException: (exception: Exception) => {
          recorded.exceptions.push(exception);
        },
      };
      return span;
    };
    return {
      startSpan,
      startActiveSpan: (name: string, ...rest: unknown[]) => {
        const fn = rest.at(-1) as (span: Span) => unknown;
        return fn(startSpan(name));
      },
    };
  }
}

describe('OpenTelemetry spans', () => {
  const provider = new MemoryTracerProvider();
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => dispose?.());
  afterAll(() => trace.disable());

  it('one span per workflow execution and one per step attempt under it, errors marked', async () => {
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    const started = await startEngine({ register: [Trip] });
    dispose = started.dispose;
    const handle = await started.engine.startWorkflow(Trip, 'book', [], { id: 'trip-traced' });
    await handle.result().catch(() => undefined);
    await eventually(() => provider.spans.filter((s) => s.ended).length === provider.spans.length && provider.spans.some((s) => s.name === 'compensate trip.book'), 'all spans ended');
    const body = provider.spans.find((s) => s.name === 'workflow trip.book');
    expect(body?.attributes['tempolite.workflow.id']).toBe('trip-traced');
    expect(body?.status.code).toBe(SpanStatusCode.ERROR);
    const underBody = provider.spans.filter((s) => s.parentId === body?.spanId).map((s) => `${s.name} ${String(s.attributes['tempolite.step.attempt'])} ${s.status.code}`);
    expect(underBody).toEqual([
      `sideEffect trip.ref 1 ${SpanStatusCode.UNSET}`,
      `saga trip.flight 1 ${SpanStatusCode.UNSET}`,
      `saga trip.hotel 1 ${SpanStatusCode.UNSET}`,
      `activity trip.car 1 ${SpanStatusCode.ERROR}`,
      `activity trip.car 2 ${SpanStatusCode.ERROR}`,
    ]);
    const phase = provider.spans.find((s) => s.name === 'compensate trip.book');
    expect(provider.spans.filter((s) => s.parentId === phase?.spanId).map((s) => s.name)).toEqual(['compensation trip.hotel', 'compensation trip.flight']);
    expect(provider.spans.find((s) => s.name === 'activity trip.car')?.exceptions[0]).toMatchObject({ message: 'no cars left' });
  });
});
