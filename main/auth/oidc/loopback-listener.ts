/**
 * System-browser sign-in (RFC 8252 7.3): a one-shot HTTP listener on 127.0.0.1, on a port
 * the OS picks. It answers only GET <path> on our own host, takes the first such request,
 * then closes; everything else gets 404 and is ignored. It also closes on timeout or abort.
 * IdPs compare the redirect path exactly and allow any loopback port, so the port is what
 * varies; the `state` parameter is the unguessable part. IdPs that compare the whole redirect
 * URI as a string get a fixed `port` (configuration `loopbackPort`); if another program holds
 * it, the sign-in stops with OIDC_LOOPBACK_PORT_BUSY instead of waiting for an answer that
 * would go to that program.
 */
import http from 'node:http';
import { AuthCancelledError, type CallbackRequest } from '../../platform';
import { settleOnce } from '../../shell/settle-once';
import { OidcError } from './oidc-errors';

const DONE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Portico</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head>
<body><h1>You are signed in to Portico</h1><p>You can close this tab and return to Portico.</p></body></html>`;

export interface LoopbackCallback {
  redirectUri: string;
  /** The first callback request; rejects on timeout or abort. */
  result: Promise<CallbackRequest>;
  close(): void;
}

export async function listenForCallback(options: {
  path: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** A fixed port (1024-65535); default: one the OS picks. */
  port?: number;
}): Promise<LoopbackCallback> {
  let settle: { resolve: (r: CallbackRequest) => void; reject: (e: Error) => void };
  const result = new Promise<CallbackRequest>((resolve, reject) => (settle = { resolve, reject }));
  let done = false;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const hostOk = /^127\.0\.0\.1(:\d+)?$/.test(req.headers.host ?? '');
    if (done || req.method !== 'GET' || url.pathname !== options.path || !hostOk) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    done = true;
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' })
      .end(DONE_PAGE);
    finish(() => settle.resolve({ method: 'GET', url: `http://127.0.0.1:${port}${req.url ?? '/'}`, body: null }));
  });
  const finish = settleOnce({
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    reject: (error) => settle.reject(error),
    cleanup: () => {
      done = true;
      server.close();
      server.closeAllConnections();
    },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    finish(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (options.port !== undefined && (code === 'EADDRINUSE' || code === 'EACCES')) {
      throw new OidcError('OIDC_LOOPBACK_PORT_BUSY', `127.0.0.1:${options.port} (${code})`);
    }
    throw error;
  }
  const port = (server.address() as { port: number }).port;
  return {
    redirectUri: `http://127.0.0.1:${port}${options.path}`,
    result,
    close: () => finish(() => settle.reject(new AuthCancelledError())),
  };
}
