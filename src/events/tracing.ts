import { context, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';

/** Instrumentation scope of Tempolite's spans. */
export const TRACER_NAME = 'tempolite';

/** The tracer Tempolite's spans come from: the global provider's (a no-op until an OpenTelemetry SDK registers one). */
export function tempoliteTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** Starts a span at `startTime` (ms since the epoch), under `parent` when given. */
export function startSpan(tracer: Tracer, name: string, startTime: number, attributes: Attributes, parent: Span | undefined): Span {
  const ctx: Context = parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
  return tracer.startSpan(name, { startTime, attributes }, ctx);
}

/** Runs `fn` with `span` as the active span, so spans the step's own code starts nest under it (when a context manager is registered). */
export function withSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** Ends `span` at `endTime`, marked as an error when `error` is given. */
export function endSpan(span: Span, endTime: number, error?: unknown): void {
  if (error !== undefined) {
    const exception = error instanceof Error ? error : new Error(String(error));
    span.recordException(exception, endTime);
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${exception.name}: ${exception.message}` });
  }
  span.end(endTime);
}
