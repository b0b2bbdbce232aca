/**
 * Diagnostics for a postgres dataset, with no person's credential: is the server reachable,
 * does it offer TLS, does its certificate verify against the policy's CAs for that host, and
 * which TLS version. It speaks only PostgreSQL's SSLRequest (8 bytes) and a TLS handshake,
 * then hangs up: no login is attempted, so nothing lands in the server's failed-login log.
 * The server's version is told only after a login: it comes from a connection already open.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { PostgresSource } from './postgres-config';

export interface PostgresCheck {
  host: string;
  port: number;
  reachable: boolean;
  /** `verified`: TLS with a certificate valid for the host; `off`: plain (loopback only). */
  tls: 'verified' | 'failed' | 'not-offered' | 'off' | 'unknown';
  tlsVersion: string | null;
  /** What went wrong, in words (no secrets: none are used). */
  problem: string | null;
  /** From an open connection of the person asking, else null. */
  serverVersion: string | null;
}

/** PostgreSQL's SSLRequest: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);

export async function checkPostgresSource(
  source: PostgresSource,
  options: { timeoutMs?: number; serverVersion?: string | null } = {},
): Promise<PostgresCheck> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const result: PostgresCheck = {
    host: source.host,
    port: source.port,
    reachable: false,
    tls: 'unknown',
    tlsVersion: null,
    problem: null,
    serverVersion: options.serverVersion ?? null,
  };
  let socket: net.Socket | null = null;
  try {
    socket = await connect(source.host, source.port, timeoutMs);
    result.reachable = true;
    if (source.tls.mode === 'disable') {
      result.tls = 'off';
      return result;
    }
    const answer = await sslAnswer(socket, timeoutMs);
    if (answer !== 'S') {
      result.tls = 'not-offered';
      result.problem = 'The server does not offer TLS; the policy requires verify-full.';
      return result;
    }
    const secure = await handshake(socket, source.host, source.tls.ca.join('\n'), timeoutMs);
    result.tls = 'verified';
    result.tlsVersion = secure.getProtocol();
    secure.destroy();
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!result.reachable) result.problem = `Cannot reach ${source.host}:${source.port}: ${message}`;
    else {
      result.tls = 'failed';
      result.problem = `TLS failed: ${message}`;
    }
    return result;
  } finally {
    socket?.destroy();
  }
}

function connect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function sslAnswer(socket: net.Socket, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer to the TLS request')), timeoutMs);
    socket.once('data', (data) => {
      clearTimeout(timer);
      resolve(String.fromCharCode(data[0] ?? 0));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(SSL_REQUEST);
  });
}

function handshake(socket: net.Socket, host: string, ca: string, timeoutMs: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const servername = net.isIP(host) ? undefined : host;
    const secure = tls.connect({ socket, ca, servername, host, rejectUnauthorized: true });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new Error('the TLS handshake did not finish'));
    }, timeoutMs);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(secure);
    });
    secure.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
