/**
 * Runs PHP's built-in web server for one SimpleSAMLphp instance, on a free loopback port, and
 * stops it without leaving anything behind (a test process with a live child never exits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';

export const SIMPLESAMLPHP_WWW = process.env.PORTICO_SIMPLESAMLPHP_WWW ?? '/usr/share/simplesamlphp/www';
/** php -S's own output (request lines, PHP fatals) is kept only this long, for error messages. */
const OUTPUT_TAIL_CHARS = 8_000;
const KILL_GRACE_MS = 2_000;

export interface PhpServer {
  port: number;
  pid: number;
  /** The last lines php -S printed (it writes request logs and PHP errors to stderr). */
  output(): string;
  /** Set when php could not be started at all (e.g. ENOENT: php-cli not installed). */
  spawnError(): Error | undefined;
  stop(): Promise<void>;
}

export class PortInUseError extends Error {}

/** A port the OS just handed out on 127.0.0.1. Another process may still take it before php binds it. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts `php -S 127.0.0.1:<port> -t <www>` and resolves once `readyPath` answers 200. Rejects with
 * PortInUseError when php could not bind, so the caller can retry on another port.
 */
export async function startPhpServer(options: {
  port: number;
  env: Record<string, string>;
  readyPath: string;
  timeoutMs: number;
}): Promise<PhpServer> {
  // One php process, no worker children: stop() then only has this one pid to end.
  const { PHP_CLI_SERVER_WORKERS: _workers, ...inherited } = process.env;
  const child = spawn('php', ['-S', `127.0.0.1:${options.port}`, '-t', SIMPLESAMLPHP_WWW], {
    env: { ...inherited, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = wrap(child, options.port);
  try {
    await waitUntilReady(child, server, `http://127.0.0.1:${options.port}${options.readyPath}`, options.timeoutMs);
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function wrap(child: ChildProcess, port: number): PhpServer {
  let output = '';
  // Drain both pipes: a full pipe would block php mid-request.
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    // A failed spawn emits 'error' and never 'exit'; unhandled, the 'error' would crash the run.
    child.once('error', (error) => {
      spawnError = error;
      resolve();
    });
  });
  // If a test forgets stop(), at least do not leave php running after this process exits.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    port,
    pid: child.pid ?? -1,
    output: () => output,
    spawnError: () => spawnError,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (spawnError === undefined) await terminate(child, exited);
    },
  };
}

/** SIGTERM, then SIGKILL if php is still there after the grace period. */
async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), KILL_GRACE_MS);
  });
  const outcome = await Promise.race([exited, gaveUp]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

async function waitUntilReady(child: ChildProcess, server: PhpServer, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    throwIfExited(child, server, url);
    if (Date.now() >= deadline) break;
    // Short per-request timeout: if another process owns the port, it may accept and never answer.
    const answer = await httpGet(url, Math.min(1_000, deadline - Date.now())).catch((error: Error) => ({
      status: 0,
      body: error.message,
    }));
    if (answer.status === 200) return;
    lastProblem = `HTTP ${answer.status}: ${answer.body.slice(0, 2_000)}`;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`SimpleSAMLphp did not answer ${url} with 200 within ${timeoutMs} ms (${lastProblem})\n${server.output()}`);
}

/** php exits at once when it cannot bind ("Address already in use"): that one is worth a retry. */
function throwIfExited(child: ChildProcess, server: PhpServer, url: string): void {
  const spawnError = server.spawnError();
  if (spawnError) throw new Error(`cannot run php (${spawnError.message}); install php-cli, php-xml and simplesamlphp`);
  if (child.exitCode === null && child.signalCode === null) return;
  const output = server.output();
  if (/address already in use/i.test(output)) throw new PortInUseError(output.trim());
  throw new Error(`php -S exited (${child.exitCode ?? child.signalCode}) before ${url} answered:\n${output}`);
}

/** A plain GET with no keep-alive agent, so no socket outlives the request. */
export function httpGet(url: string, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
  });
}
