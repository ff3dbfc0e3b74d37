/** Listen addresses and the loopback rule: the gateway only leaves 127.0.0.1 when told to. */
import { isIP } from 'node:net';

/** A host and port to bind. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** True for `localhost`, 127.0.0.0/8 and ::1 (with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Parses `host:port` / `[v6]:port`; returns a reason string when it is not one. */
export function parseListenAddress(text: string): ListenAddress | string {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (m === null) return `must be host:port (e.g. 127.0.0.1:8080), got ${JSON.stringify(text)}`;
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port > 65535) return `port ${port} is out of range`;
  if (m[1] !== undefined && isIP(host) !== 6) return `${JSON.stringify(host)} is not an IPv6 address`;
  return { host, port };
}

/** Formats a host for a URL authority (brackets around IPv6). */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
