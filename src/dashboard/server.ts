import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Tempolite } from '../engine/tempolite.js';
import { InvalidOptionsError } from '../errors.js';
import { isLoopback, hostName, presentedToken, sameToken, tokenCookie } from './access.js';
import { BadRequestError, DashboardErrorCode, errorBody, handleApi } from './api.js';
import { PAGE_CSS } from './page-css.js';
import { pageHtml } from './page-html.js';
import { PAGE_SCRIPT } from './page-script.js';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** The engine the dashboard reads and acts through; usually in client mode (`workers: false`). */
  readonly engine: Tempolite;
  /** Address to bind. A non-loopback address needs a `token`. @default '127.0.0.1' */
  readonly host?: string;
  /** Port; 0 picks a free one. @default 7070 */
  readonly port?: number;
  /** Access token: every request must present it (`?token=`, `Authorization: Bearer`, or the cookie set when the page was opened with it). @default none */
  readonly token?: string;
  /** Shown in the page header, e.g. the database. @default '' */
  readonly label?: string;
}

/** A running dashboard. */
export interface Dashboard {
  /** The address to open (with `?token=` when a token is set). */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests and closes open connections. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * Serves the web dashboard (plain HTML and a little JavaScript, no build
 * step) and its JSON API over node:http. Loopback only unless a token is
 * set; with a token, requests without it are refused with 401. Without a
 * token, requests must name a loopback host (no DNS rebinding), and actions
 * must be JSON POSTs (no cross-site form posts).
 * @throws InvalidOptionsError for a non-loopback host without a token
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token !== undefined && options.token.length > 0 ? options.token : undefined;
  if (!isLoopback(host) && token === undefined) {
    throw new InvalidOptionsError('tempolite dashboard', 'host', `"${host}" is not a loopback address: set a token (--token) to serve the dashboard beyond this machine`);
  }
  let port = options.port ?? 7070;
  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, 'application/json', JSON.stringify(errorBody('Error', DashboardErrorCode.Unexpected, String(error))));
      else response.destroy();
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    const cookie = tokenCookie(port);
    // The API answers in JSON, refusals too: a script reads `error.code` whatever went wrong.
    const api = url.pathname === '/api' || url.pathname.startsWith('/api/');
    const refuse = (status: number, name: string, code: string, message: string, headers: Record<string, string> = {}): void => {
      if (api) send(response, status, 'application/json', JSON.stringify(errorBody(name, code, message)), headers);
      else send(response, status, 'text/plain; charset=utf-8', `${name}: ${message}\n`, headers);
    };
    if (token !== undefined) {
      if (!sameToken(token, presentedToken(request, url, cookie))) {
        refuse(401, 'Unauthorized', DashboardErrorCode.Unauthorized, 'open the dashboard with ?token=<token>, or send Authorization: Bearer <token>.', { 'www-authenticate': 'Bearer' });
        return;
      }
    } else if (!isLoopback(hostName(request.headers.host))) {
      refuse(403, 'Forbidden', DashboardErrorCode.Forbidden, 'this dashboard answers only to a loopback host name.');
      return;
    }
    const method = request.method ?? 'GET';
    if (api && !(url.pathname === '/api/workflows' || url.pathname.startsWith('/api/workflows/'))) {
      refuse(404, 'NotFound', DashboardErrorCode.NotFound, `No such API path: ${url.pathname}`);
      return;
    }
    if (api) {
      if (method === 'POST' && !(request.headers['content-type'] ?? '').startsWith('application/json')) {
        send(response, 415, 'application/json', JSON.stringify(errorBody('UnsupportedMediaType', DashboardErrorCode.UnsupportedMediaType, 'Actions take a JSON body (Content-Type: application/json).')));
        return;
      }
      const answer = await handleApi(options.engine, method, url, () => readJson(request));
      send(response, answer.status, 'application/json', JSON.stringify(answer.body));
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed.\n');
      return;
    }
    const extra: Record<string, string> = {};
    // Opened with ?token=: a cookie carries it to the page's own requests (same site only, not readable by scripts).
    if (token !== undefined && url.searchParams.has('token')) extra['set-cookie'] = `${cookie}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
    if (url.pathname === '/') send(response, 200, 'text/html; charset=utf-8', pageHtml(options.label ?? ''), extra);
    else if (url.pathname === '/app.js') send(response, 200, 'text/javascript; charset=utf-8', PAGE_SCRIPT);
    else if (url.pathname === '/app.css') send(response, 200, 'text/css; charset=utf-8', PAGE_CSS);
    else if (url.pathname === '/favicon.ico') send(response, 204, 'image/x-icon', '');
    else send(response, 404, 'text/plain; charset=utf-8', 'Not found.\n');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/${token !== undefined ? `?token=${encodeURIComponent(token)}` : ''}`;
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function send(response: ServerResponse, status: number, contentType: string, body: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...extra });
  response.end(body);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BadRequestError('The request body is over 1 MiB.');
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim().length === 0) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequestError('The request body is not valid JSON.');
  }
}
