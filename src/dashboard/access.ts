import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Whether `host` (a bind address or a Host header's name) is this machine's loopback. */
export function isLoopback(host: string): boolean {
  const name = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (name === 'localhost') return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || name === '0:0:0:0:0:0:0:1';
  return false;
}

/** The host name of a Host header (`127.0.0.1:7070` → `127.0.0.1`, `[::1]:80` → `[::1]`). */
export function hostName(header: string | undefined): string {
  if (header === undefined) return '';
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  const colon = header.lastIndexOf(':');
  return colon < 0 ? header : header.slice(0, colon);
}

/** Name of the cookie that carries the token after the page was opened with `?token=`. */
export function tokenCookie(port: number): string {
  return `tempolite_dashboard_${port}`;
}

/** The token a request presents: `Authorization: Bearer`, the `token` query parameter, or the cookie. */
export function presentedToken(request: IncomingMessage, url: URL, cookieName: string): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const query = url.searchParams.get('token');
  if (query !== null) return query;
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === cookieName) {
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        // A malformed cookie presents no token: the request is unauthorized, not an error of the server.
        return undefined;
      }
    }
  }
  return undefined;
}

/** Compares tokens in constant time. */
export function sameToken(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(presented, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
