/**
 * A real PostgreSQL 15 cluster for tests (Debian's `postgresql` package): `initdb` into a
 * throw-away folder and `pg_ctl` on a free loopback port, run as the `postgres` OS user when
 * the tests run as root (PostgreSQL refuses to run as root).
 *
 * Authentication is real: TCP connections on 127.0.0.1 need a password (scram-sha-256), so a
 * wrong password fails as it would against IT's server. Only the superuser that sets up the
 * schema connects without one, over the cluster's private Unix socket (trust).
 *
 *   const pg = await startPostgres();
 *   await pg.sql('CREATE ROLE ...');            // as the superuser, over the socket
 *   const client = await pg.connectAs('alice', 'alice-password'); // over TCP, like Portico
 *   await pg.stop();
 */
import { execFile, type ExecFileOptions } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFileAsync = promisify(execFile);

/** Debian's layout; PG_BIN overrides it (another distribution or version). */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PORT_ATTEMPTS = 5;

export interface StartPostgresOptions {
  /** Serve TLS with a throw-away CA and a server certificate for 127.0.0.1 and localhost. */
  tls?: boolean;
  /** Extra `postgresql.conf` settings, e.g. `{ shared_buffers: '256MB' }`. */
  settings?: Record<string, string>;
}

export interface PostgresCluster {
  host: '127.0.0.1';
  port: number;
  /** The data folder (also the Unix socket folder). */
  dir: string;
  /** With `tls`: the CA that signed the server's certificate (PEM), for `verify-full`. */
  caPem: string | null;
  /** Runs SQL as the superuser over the socket (several statements allowed); returns the last result's rows. */
  sql<R extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** A client connected over TCP as `user` with `password` (what a person's own tool does). */
  connectAs(user: string, password: string, database?: string): Promise<pg.Client>;
  /** Runs `psql` as `user` over TCP with `password`; resolves with its stdout (tuples only, `|`-separated). */
  psql(user: string, password: string, sql: string): Promise<string>;
  /** Stops the server (fast shutdown: sessions are cut), keeping its data: `start()` brings it back. */
  pause(): Promise<void>;
  /** Starts a paused server again on the same port. */
  start(): Promise<void>;
  /** Backend sessions of `user` over TCP, from pg_stat_activity. */
  sessionsOf(user: string): Promise<number>;
  /**
   * Waits until `user` has no backend session left (a backend exits shortly after its client
   * said goodbye); rejects after `timeoutMs` with the count still there.
   */
  waitForNoSessions(user: string, timeoutMs?: number): Promise<void>;
  /** The server's log (connection failures, statement errors). */
  readLog(): Promise<string>;
  /** Stops the server and deletes the folder. Idempotent. */
  stop(): Promise<void>;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** uid/gid of the `postgres` OS user (only looked up when running as root). */
async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await execFileAsync('id', ['-u', 'postgres']);
  const { stdout: g } = await execFileAsync('id', ['-g', 'postgres']);
  return { uid: Number(stdout.trim()), gid: Number(g.trim()) };
}

function freeLoopbackPort(): Promise<number> {
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

/** A CA and a server certificate for 127.0.0.1 / localhost, written into `dir`. */
async function writeTlsFiles(dir: string, run: (cmd: string, args: string[]) => Promise<unknown>): Promise<string> {
  const f = (name: string) => path.join(dir, name);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Portico test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
  ]);
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
  ]);
  await fs.writeFile(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('server.ext'),
    '-out',
    f('server.crt'),
  ]);
  await fs.chmod(f('server.key'), 0o600);
  return fs.readFile(f('ca.crt'), 'utf8');
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresCluster> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'portico-pg-'));
  const dir = path.join(root, 'data');
  const owner = isRoot() ? await postgresUser() : null;
  const as: ExecFileOptions = owner ? { uid: owner.uid, gid: owner.gid, cwd: root } : { cwd: root };
  const run = (cmd: string, args: string[]) => execFileAsync(cmd, args, { ...as, env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  let port = 0;
  let running = false;
  let stopped = false;

  const pgCtl = (args: string[]) => run(path.join(PG_BIN, 'pg_ctl'), ['-D', dir, ...args]);
  const startServer = () =>
    pgCtl([
      '-l',
      path.join(root, 'pg.log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      '-w',
      '-t',
      '60',
      'start',
    ]);

  try {
    if (owner) await fs.chown(root, owner.uid, owner.gid);
    await run(path.join(PG_BIN, 'initdb'), ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
    // The superuser only over the private socket; everyone else over TCP with a password.
    await fs.writeFile(
      path.join(dir, 'pg_hba.conf'),
      [
        'local   all   postgres                trust',
        `${options.tls ? 'hostssl' : 'host   '} all   all        127.0.0.1/32   scram-sha-256`,
        '',
      ].join('\n'),
    );
    let caPem: string | null = null;
    const settings: Record<string, string> = {
      password_encryption: "'scram-sha-256'",
      fsync: 'off', // a throw-away cluster: no need to survive a power cut
      synchronous_commit: 'off',
      full_page_writes: 'off',
      ...options.settings,
    };
    if (options.tls) {
      caPem = await writeTlsFiles(dir, run);
      Object.assign(settings, { ssl: 'on', ssl_cert_file: "'server.crt'", ssl_key_file: "'server.key'" });
    }
    await fs.appendFile(
      path.join(dir, 'postgresql.conf'),
      Object.entries(settings)
        .map(([k, v]) => `${k} = ${v}\n`)
        .join(''),
    );
    if (owner) await fs.chown(path.join(dir, 'pg_hba.conf'), owner.uid, owner.gid);

    for (let attempt = 1; ; attempt++) {
      port = await freeLoopbackPort();
      try {
        await startServer();
        break;
      } catch (error) {
        const log = await fs.readFile(path.join(root, 'pg.log'), 'utf8').catch(() => '');
        if (attempt >= PORT_ATTEMPTS || !/could not (bind|create)/i.test(log)) {
          throw new Error(`PostgreSQL did not start: ${String(error)}\n${log.slice(-2000)}`, { cause: error });
        }
      }
    }
    running = true;

    const superuser = () => new pg.Client({ host: dir, port, user: 'postgres', database: 'postgres' });
    const cluster: PostgresCluster = {
      host: '127.0.0.1',
      port,
      dir,
      caPem,
      async sql<R extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]> {
        const client = superuser();
        await client.connect();
        try {
          const result = (await client.query(text, params)) as unknown as pg.QueryResult<R> | pg.QueryResult<R>[];
          const last = Array.isArray(result) ? result[result.length - 1] : result;
          return last?.rows ?? [];
        } finally {
          await client.end();
        }
      },
      async connectAs(user, password, database = 'postgres') {
        const ssl = caPem ? { ca: caPem, servername: 'localhost' } : false;
        const client = new pg.Client({ host: '127.0.0.1', port, user, password, database, ssl });
        await client.connect();
        return client;
      },
      async psql(user, password, sql) {
        const { stdout } = await execFileAsync(
          'psql',
          [
            '-X',
            '-q',
            '-t',
            '-A',
            '-v',
            'ON_ERROR_STOP=1',
            '-h',
            '127.0.0.1',
            '-p',
            String(port),
            '-U',
            user,
            '-d',
            'postgres',
            '-c',
            sql,
          ],
          {
            env: {
              ...process.env,
              PGPASSWORD: password,
              ...(caPem ? { PGSSLMODE: 'verify-full', PGSSLROOTCERT: path.join(dir, 'ca.crt') } : { PGSSLMODE: 'disable' }),
            },
          },
        );
        return String(stdout);
      },
      async pause() {
        if (!running) return;
        running = false;
        await pgCtl(['-m', 'fast', '-w', 'stop']);
      },
      async start() {
        if (running || stopped) return;
        await startServer();
        running = true;
      },
      async sessionsOf(user) {
        const rows = await cluster.sql<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1 AND backend_type = 'client backend'",
          [user],
        );
        return Number(rows[0]?.n ?? 0);
      },
      async waitForNoSessions(user, timeoutMs = 15_000) {
        const until = Date.now() + timeoutMs;
        for (;;) {
          const n = await cluster.sessionsOf(user);
          if (n === 0) return;
          if (Date.now() > until) throw new Error(`${user} still has ${n} database sessions`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      readLog: () => fs.readFile(path.join(root, 'pg.log'), 'utf8'),
      async stop() {
        if (stopped) return;
        stopped = true;
        if (running) await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => undefined);
        running = false;
        await fs.rm(root, { recursive: true, force: true });
      },
    };
    return cluster;
  } catch (error) {
    if (running) await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    await fs.rm(root, { recursive: true, force: true });
    throw error;
  }
}
