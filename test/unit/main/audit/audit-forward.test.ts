/**
 * Forwarding audit records to syslog: the RFC 5424 message (pure), and real UDP and TCP
 * listeners started by the test on 127.0.0.1, including one that is not there yet.
 */
import dgram from 'node:dgram';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { auditConfig } from '../../../../main/audit/audit-config';
import { formatSyslog, SyslogForwarder, type SyslogTarget } from '../../../../main/audit/audit-forward';
import { AUDIT_FILE, AuditLog } from '../../../../main/audit/audit-log';
import { GENESIS_HEAD, normaliseEvent, sealRecord, serializeRecord, type AuditEvent } from '../../../../main/audit/audit-record';
import { FakeClock, tempDir } from '../../helpers';
import { T0 } from './audit-fixtures';

const signIn = (actor: string): AuditEvent => ({
  actor,
  action: 'auth.sign-in',
  outcome: 'success',
  details: { method: 'local' },
});

/** The message's parts: PRI, version, timestamp, host, app, procid, msgid, SD, and the record after the BOM. */
function parseMessage(message: string) {
  const match = /^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-) \ufeff(.*)$/s.exec(message);
  if (!match) throw new Error(`not an RFC 5424 message: ${message}`);
  const [, pri, at, host, app, procId, msgId, , body] = match;
  return { pri: Number(pri), at, host, app, procId, msgId, body: body! };
}

/** Collects what a log says, and resolves `nextError` at its next error. */
function recordingLog() {
  const entries: { level: 'info' | 'error'; message: string; fields: Record<string, unknown> }[] = [];
  let wake: (() => void) | null = null;
  return {
    entries,
    nextError: () => new Promise<void>((resolve) => (wake = resolve)),
    log: {
      info: (message: string, fields: Record<string, unknown>) => entries.push({ level: 'info', message, fields }),
      error: (message: string, fields: Record<string, unknown>) => {
        entries.push({ level: 'error', message, fields });
        wake?.();
      },
    },
  };
}

/** A UDP syslog listener; `next(n)` resolves with the next n messages. */
async function udpListener() {
  const socket = dgram.createSocket('udp4');
  const messages: string[] = [];
  let waiting: { n: number; resolve: (m: string[]) => void } | null = null;
  socket.on('message', (buffer) => {
    messages.push(buffer.toString('utf8'));
    if (waiting && messages.length >= waiting.n) waiting.resolve(messages.splice(0, waiting.n));
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return {
    port: socket.address().port,
    next: (n: number) =>
      new Promise<string[]>((resolve) => {
        if (messages.length >= n) resolve(messages.splice(0, n));
        else waiting = { n, resolve };
      }),
  };
}

/** A TCP syslog listener reading RFC 6587 octet-counted frames; `next(n)` as above. */
async function tcpListener(port = 0) {
  const messages: string[] = [];
  let waiting: { n: number; resolve: (m: string[]) => void } | null = null;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const space = pending.indexOf(0x20);
        if (space < 0) break;
        const length = Number(pending.subarray(0, space).toString('ascii'));
        if (pending.length < space + 1 + length) break;
        messages.push(pending.subarray(space + 1, space + 1 + length).toString('utf8'));
        pending = pending.subarray(space + 1 + length);
      }
      if (waiting && messages.length >= waiting.n) waiting.resolve(messages.splice(0, waiting.n));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  onTestFinished(close);
  return {
    port: (server.address() as net.AddressInfo).port,
    close,
    next: (n: number) =>
      new Promise<string[]>((resolve) => {
        if (messages.length >= n) resolve(messages.splice(0, n));
        else waiting = { n, resolve };
      }),
  };
}

async function forwardingLog(target: SyslogTarget, log = recordingLog().log) {
  const forwarder = new SyslogForwarder(target, log);
  const file = path.join(await tempDir(), AUDIT_FILE);
  const audit = await AuditLog.open(file, { clock: new FakeClock(), forward: forwarder });
  onTestFinished(() => audit.close());
  return { audit, file };
}

describe('formatSyslog (RFC 5424)', () => {
  const origin = { hostname: 'ws-042.corp.example', procId: 4242 };

  it('writes facility 13 with a severity by outcome, the record time, host, app, pid and action, and the record line', () => {
    const record = sealRecord(GENESIS_HEAD, normaliseEvent(signIn('ada')), T0);
    const parsed = parseMessage(formatSyslog(record, origin));
    expect(parsed).toEqual({
      pri: 13 * 8 + 6,
      at: '2026-01-05T09:00:00.000Z',
      host: 'ws-042.corp.example',
      app: 'portico',
      procId: '4242',
      msgId: 'auth.sign-in',
      body: serializeRecord(record),
    });
    const failed = sealRecord(GENESIS_HEAD, { actor: null, action: 'auth.sign-in-failed', outcome: 'failure' }, T0);
    expect(parseMessage(formatSyslog(failed, origin)).pri).toBe(13 * 8 + 4);
    const broken = sealRecord(GENESIS_HEAD, { actor: null, action: 'audit.chain-broken', outcome: 'failure' }, T0);
    expect(parseMessage(formatSyslog(broken, origin)).pri).toBe(13 * 8 + 3);
  });

  it('keeps a message on one line and the header fields printable, whatever the record or host holds', () => {
    const record = sealRecord(GENESIS_HEAD, normaliseEvent({ ...signIn('mallory\n<13>1 forged\u2028x'), target: 'a b' }), T0);
    const message = formatSyslog(record, { hostname: 'bad host\nname', procId: 1 });
    expect(message).not.toMatch(/[\n\r\u0085\u2028\u2029]/);
    expect(parseMessage(message).host).toBe('badhostname');
    expect(JSON.parse(parseMessage(message).body)).toEqual(record);
    expect(parseMessage(formatSyslog(record, { hostname: ' ', procId: 1 })).host).toBe('-');
  });
});

describe('SyslogForwarder with real listeners', () => {
  it('sends each record as one UDP datagram, as soon as it is on disk', async () => {
    const listener = await udpListener();
    const { audit } = await forwardingLog({ host: '127.0.0.1', port: listener.port, protocol: 'udp' });
    const records = [await audit.append(signIn('ada')), await audit.append(signIn('bob'))];
    const messages = await listener.next(2);
    const bodies = messages.map((m) => parseMessage(m).body).sort();
    expect(bodies).toEqual(records.map(serializeRecord).sort());
    expect(parseMessage(messages[0]!).host).toBe(os.hostname().replace(/[^\x21-\x7e]/g, '') || '-');
  });

  it('sends octet-counted frames over TCP, in order, on one connection', async () => {
    const listener = await tcpListener();
    const { audit, file } = await forwardingLog({ host: '127.0.0.1', port: listener.port, protocol: 'tcp' });
    const sent = await Promise.all(['ada', 'bob', 'carol\u2028dave'].map((u) => audit.append(signIn(u))));
    const messages = await listener.next(3);
    expect(messages.map((m) => parseMessage(m).body)).toEqual(sent.map(serializeRecord));
    // The server's copy is the local log, line for line.
    expect(messages.map((m) => `${parseMessage(m).body}\n`).join('')).toBe(await fs.readFile(file, 'utf8'));
  });

  it('never fails or holds an append when the TCP server is down; logs it once, and delivers the waiting records once it is up', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = await tcpListener();
    const port = probe.port;
    await probe.close();
    const recorder = recordingLog();
    const { audit } = await forwardingLog({ host: '127.0.0.1', port, protocol: 'tcp' }, recorder.log);

    const failed = recorder.nextError();
    const first = await audit.append(signIn('ada'));
    await failed;
    expect(recorder.entries).toEqual([
      {
        level: 'error',
        message: 'Audit records cannot be forwarded to the syslog server; they are kept in the local log',
        fields: { host: '127.0.0.1', port, protocol: 'tcp', error: 'ECONNREFUSED' },
      },
    ]);

    const listener = await tcpListener(port);
    const second = await audit.append(signIn('bob'));
    const messages = await listener.next(2);
    expect(messages.map((m) => parseMessage(m).body)).toEqual([first, second].map(serializeRecord));
    expect(recorder.entries.map((e) => e.level)).toEqual(['error', 'info']);
    expect(await audit.verify()).toMatchObject({ ok: true, count: 2 });
  });

  it('never fails an append when the host cannot be resolved', async () => {
    const recorder = recordingLog();
    const failed = recorder.nextError();
    const { audit } = await forwardingLog({ host: 'no-such-host.invalid', port: 514, protocol: 'udp' }, recorder.log);
    await expect(audit.append(signIn('ada'))).resolves.toMatchObject({ seq: 1 });
    await failed;
    expect(recorder.entries[0]).toMatchObject({ level: 'error', fields: { host: 'no-such-host.invalid' } });
  });
});

describe('audit.forward in the policy', () => {
  it('is off by default, and takes a syslog host with port 514 and UDP by default', () => {
    expect(auditConfig.parse({}).forward).toBeUndefined();
    expect(auditConfig.parse({ forward: { syslog: { host: 'siem.corp.example' } } }).forward).toEqual({
      syslog: { host: 'siem.corp.example', port: 514, protocol: 'udp' },
    });
    expect(
      auditConfig.parse({ forward: { syslog: { host: '2001:db8::1', port: 6514, protocol: 'tcp' } } }).forward?.syslog,
    ).toEqual({ host: '2001:db8::1', port: 6514, protocol: 'tcp' });
  });

  it.each([
    [{ syslog: { host: 'siem.corp.example', port: 0 } }],
    [{ syslog: { host: 'siem.corp.example', port: 70000 } }],
    [{ syslog: { host: 'siem.corp.example', protocol: 'tls' } }],
    [{ syslog: { host: 'tcp://siem.corp.example' } }],
    [{ syslog: { host: 'siem corp' } }],
    [{ syslog: { host: '' } }],
    [{ syslog: { host: 'siem.corp.example', extra: 1 } }],
    [{ splunk: {} }],
  ])('refuses %j', (forward) => {
    expect(auditConfig.safeParse({ forward }).success).toBe(false);
  });
});
