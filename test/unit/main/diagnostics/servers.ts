/** Real HTTP servers on 127.0.0.1 (port 0) for the diagnostics checks; closed when the test ends. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export async function serve(handler: http.RequestListener): Promise<{ origin: string; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** A port nothing listens on (a server was there a moment ago). */
export async function closedPortOrigin(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** An OpenID provider's discovery document for `issuer`, answered with an optional Date. */
export function discoveryHandler(options: { issuer?: string; date?: Date; status?: number; body?: string } = {}) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (options.date) res.setHeader('Date', options.date.toUTCString());
    const issuer = options.issuer ?? `http://${req.headers.host}`;
    const body =
      options.body ??
      JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
      });
    res.writeHead(options.status ?? 200, { 'content-type': 'application/json' }).end(body);
  };
}
