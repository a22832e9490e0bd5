import { formatRunTree } from '../client/format-tree.js';
import type { Tempolite } from '../engine/tempolite.js';
import { InvalidOptionsError, InvalidStateError, SerializationError, WorkflowNotFoundError, TempoliteError } from '../errors.js';
import { toPlain } from '../cli/plain-json.js';
import { progressOf } from '../client/progress.js';
import { WORKFLOW_STATUSES } from '../store/statuses.js';
import { controlChanges, type ControlAction } from '../client/control-effect.js';
import type { WorkflowStatus } from '../store/statuses.js';

/** A JSON answer of the dashboard's API. */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

/** Codes of the dashboard's own errors, beside the library's `TEMPOLITE_*` codes: every error answer has one. */
export const DashboardErrorCode = {
  BadRequest: 'TEMPOLITE_DASHBOARD_BAD_REQUEST',
  NotFound: 'TEMPOLITE_DASHBOARD_NOT_FOUND',
  MethodNotAllowed: 'TEMPOLITE_DASHBOARD_METHOD_NOT_ALLOWED',
  UnsupportedMediaType: 'TEMPOLITE_DASHBOARD_UNSUPPORTED_MEDIA_TYPE',
  /** An API request without the dashboard's token (401). */
  Unauthorized: 'TEMPOLITE_DASHBOARD_UNAUTHORIZED',
  /** An API request naming a host that is not a loopback name, to a dashboard without a token (403). */
  Forbidden: 'TEMPOLITE_DASHBOARD_FORBIDDEN',
  /** An error from elsewhere (a driver, the system) the dashboard has no code for. */
  Unexpected: 'TEMPOLITE_DASHBOARD_UNEXPECTED',
} as const;

/** A request that is not what the API expects (400). */
export class BadRequestError extends Error {
  override name = 'BadRequestError';
  readonly code = DashboardErrorCode.BadRequest;
}

/** The body of an error answer: `{ error: { name, code, message } }`. */
export function errorBody(name: string, code: string, message: string): { error: { name: string; code: string; message: string } } {
  return { error: { name, code, message } };
}

const LIST_PARAMS = new Set(['status', 'name', 'queue', 'limit', 'offset', 'token']);

const ACTIONS: readonly ControlAction[] = ['retry', 'cancel', 'pause', 'resume'];

/**
 * The dashboard's JSON API over an engine (usually in client mode):
 * - `GET /api/workflows?status=a,b&name=&queue=&limit=&offset=`: `{ workflows }` (`status` repeatable; other parameters are a 400)
 * - `GET /api/workflows/:id`: `{ description, progress, tree }`
 * - `POST /api/workflows/:id/{retry|cancel|pause|resume}`: `{ ok, workflowId, action, changed, status }`
 * - `POST /api/workflows/:id/signal` with `{ name, payload, idempotencyKey? }` (no other field): the same (`changed` false for a key taken)
 */
export async function handleApi(engine: Tempolite, method: string, url: URL, readBody: () => Promise<unknown>): Promise<ApiResponse> {
  try {
    const parts = url.pathname.split('/').slice(3).map(decodePart);
    if (parts.length === 0 || (parts.length === 1 && parts[0] === '')) {
      if (method !== 'GET') return methodNotAllowed();
      return { status: 200, body: { workflows: toPlain(await engine.list(listOptions(url))) } };
    }
    // `/api/workflows/:id` and `/api/workflows/:id/:action` only: a longer path names nothing (it must not act on :id).
    if (parts.length > 2) return { status: 404, body: errorBody('NotFound', DashboardErrorCode.NotFound, `No such API path: ${url.pathname}`) };
    const [id, action] = parts as [string, string | undefined];
    if (action === undefined) {
      if (method !== 'GET') return methodNotAllowed();
      const description = await (await engine.getHandle(id)).describe();
      return { status: 200, body: { description: toPlain(description), progress: progressOf(description), tree: formatRunTree(description) } };
    }
    if (method !== 'POST') return methodNotAllowed();
    const handle = await engine.getHandle(id);
    let changed = true;
    if ((ACTIONS as readonly string[]).includes(action)) {
      const before = await handle.describe();
      await run(engine, action as ControlAction, id);
      changed = controlChanges(action as ControlAction, before);
    } else if (action === 'signal') changed = await signal(engine, id, await readBody());
    else return { status: 404, body: errorBody('NotFound', DashboardErrorCode.NotFound, `Unknown action "${action}".`) };
    return { status: 200, body: { ok: true, workflowId: id, action, changed, status: await handle.status() } };
  } catch (error) {
    const code = error instanceof TempoliteError || error instanceof BadRequestError ? error.code : DashboardErrorCode.Unexpected;
    return { status: statusOf(error, method), body: errorBody(error instanceof Error ? error.name : 'Error', code, error instanceof Error ? error.message : String(error)) };
  }
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new BadRequestError(`The path segment "${part}" is not valid percent-encoding (encode a workflow id with encodeURIComponent).`);
  }
}

function listOptions(url: URL): Parameters<Tempolite['list']>[0] {
  const params = url.searchParams;
  // As `engine.list()` refuses an unknown filter: a misspelt one must not list everything.
  for (const key of params.keys()) if (!LIST_PARAMS.has(key)) throw new BadRequestError(`Unknown parameter "${key}" (expected status, name, queue, limit, offset).`);
  for (const key of ['name', 'queue', 'limit', 'offset']) if (params.getAll(key).length > 1) throw new BadRequestError(`"${key}" is given more than once.`);
  // Repeated like the CLI's --status: ?status=failed&status=paused is both.
  const statuses = params.getAll('status').flatMap((value) => value.split(',')).filter((s) => s.length > 0);
  for (const status of statuses) if (!(WORKFLOW_STATUSES as readonly string[]).includes(status)) throw new BadRequestError(`Unknown status "${status}".`);
  const number = (name: string, fallback: number): number => {
    const raw = params.get(name);
    if (raw === null || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value)) throw new BadRequestError(`"${name}" must be an integer.`);
    return value;
  };
  const name = params.get('name');
  const queue = params.get('queue');
  return {
    limit: number('limit', 50),
    offset: number('offset', 0),
    ...(statuses.length > 0 ? { status: statuses as WorkflowStatus[] } : {}),
    ...(name ? { name } : {}),
    ...(queue ? { queue } : {}),
  };
}

async function run(engine: Tempolite, action: ControlAction, id: string): Promise<void> {
  if (action === 'retry') await engine.retry(id);
  else if (action === 'cancel') await engine.cancel(id);
  else if (action === 'pause') await engine.pause(id);
  else await engine.resume(id);
}

/** Sends the signal of a request body; false when its idempotency key was taken (nothing sent). */
async function signal(engine: Tempolite, id: string, body: unknown): Promise<boolean> {
  if (body === null || typeof body !== 'object' || typeof (body as { name?: unknown }).name !== 'string') throw new BadRequestError('Expected a JSON body { "name": string, "payload"?: any, "idempotencyKey"?: string }.');
  // As the list's parameters: a misspelt "payload" must not send the signal with a null one.
  const unknown = Object.keys(body).filter((key) => key !== 'name' && key !== 'payload' && key !== 'idempotencyKey');
  if (unknown.length > 0) throw new BadRequestError(`Unknown field "${unknown[0]}" in the signal body (expected name, payload, idempotencyKey).`);
  const { name, payload, idempotencyKey } = body as { name: string; payload?: unknown; idempotencyKey?: string };
  return engine.signal(id, name, payload ?? null, idempotencyKey === undefined ? undefined : { idempotencyKey });
}

function statusOf(error: unknown, method: string): number {
  if (error instanceof WorkflowNotFoundError) return 404;
  if (error instanceof InvalidStateError) return 409;
  if (error instanceof BadRequestError || error instanceof InvalidOptionsError) return 400;
  // A payload sent that cannot be stored is the request's fault; a stored one that cannot be read (another codec) is not.
  if (error instanceof SerializationError) return method === 'POST' ? 400 : 500;
  return 500;
}

function methodNotAllowed(): ApiResponse {
  return { status: 405, body: errorBody('MethodNotAllowed', DashboardErrorCode.MethodNotAllowed, 'Method not allowed.') };
}
