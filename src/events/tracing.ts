import { context, ProxyTracerProvider, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';

/** Instrumentation scope of Tempolite's spans. */
export const TRACER_NAME = 'tempolite';

/** The tracer Tempolite's spans come from: the global provider's (a no-op until an OpenTelemetry SDK registers one). */
export function tempoliteTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** The API's no-op provider: what a fresh proxy delegates to while no SDK is registered. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether an OpenTelemetry SDK has registered a tracer provider. Checked per
 * span, so a provider registered after the engine started is used, and
 * without one no span object is made at all (the no-op API still costs
 * allocations on every step).
 */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider();
  return (provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider) !== NOOP_PROVIDER;
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
