/**
 * Forwarding audit records off the computer, to IT's syslog server (`audit.forward.syslog` in the
 * machine policy): evidence that a program running as the same OS user, which can rewrite the
 * local log with the vault's key, cannot take back.
 *
 * Each record is one RFC 5424 message: facility 13 (log audit), severity by outcome, the record's
 * time, this computer's name, app `portico`, the process id, the action as MSGID, and as MSG the
 * record's own line (with seq, hash and MAC, so the server's copy can be checked against the
 * chain). Over UDP one datagram per record (RFC 5426); over TCP with octet counting (RFC 6587).
 * Neither is encrypted nor acknowledged: a record lost on the way is missing at the server, which
 * the seq numbers show.
 *
 * Forwarding never blocks or fails an append: `send` returns at once, and a failure is logged
 * (once until it works again). Over TCP, records wait in a bounded queue while there is no
 * connection (the oldest are dropped past `MAX_QUEUED`, and counted); the next record after a
 * failure connects again. No timers: nothing runs while no record is written.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { serializeRecord, type AuditRecord } from './audit-record';

export interface SyslogTarget {
  host: string;
  port: number;
  protocol: 'udp' | 'tcp';
}

/** Where records go besides the local file. `send` must not throw or wait. */
export interface AuditForwarder {
  send(record: AuditRecord): void;
  close(): Promise<void>;
}

export type ForwardLog = (message: string, fields: Record<string, unknown>) => void;

/** RFC 5424 facility 13: log audit. */
const FACILITY = 13;
const SEVERITY = { error: 3, warning: 4, informational: 6 } as const;
/** Records kept while a TCP server is unreachable. */
export const MAX_QUEUED = 1000;
const BOM = '\ufeff';

function severityOf(record: AuditRecord): number {
  if (record.action === 'audit.chain-broken' || record.action === 'audit.archive-broken') return SEVERITY.error;
  return record.outcome === 'success' ? SEVERITY.informational : SEVERITY.warning;
}

/** PRINTUSASCII (33-126) only, at most `max` characters; NILVALUE ('-') when nothing is left. */
function printable(text: string, max: number): string {
  const cleaned = text.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return cleaned === '' ? '-' : cleaned;
}

/** The RFC 5424 message for one record (without transport framing). */
export function formatSyslog(record: AuditRecord, origin: { hostname: string; procId: number }): string {
  const pri = FACILITY * 8 + severityOf(record);
  const header = [
    `<${pri}>1`,
    record.at,
    printable(origin.hostname, 255),
    'portico',
    printable(String(origin.procId), 128),
    printable(record.action, 32),
    '-', // no structured data: the record itself is the message
  ].join(' ');
  return `${header} ${BOM}${serializeRecord(record)}`;
}

export class SyslogForwarder implements AuditForwarder {
  private readonly origin = { hostname: os.hostname(), procId: process.pid };
  private udp: dgram.Socket | null = null;
  private tcp: net.Socket | null = null;
  private connected = false;
  private readonly queue: Buffer[] = [];
  private dropped = 0;
  private failing = false;
  private closed = false;

  constructor(
    private readonly target: SyslogTarget,
    private readonly log: { info: ForwardLog; error: ForwardLog },
  ) {}

  send(record: AuditRecord): void {
    if (this.closed) return;
    try {
      const message = formatSyslog(record, this.origin);
      if (this.target.protocol === 'udp') this.sendUdp(Buffer.from(message, 'utf8'));
      else this.sendTcp(message);
    } catch (error) {
      this.failed(error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = null;
    this.tcp = null;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (tcp && !tcp.destroyed) {
      await new Promise<void>((resolve) => {
        tcp.once('close', () => resolve());
        tcp.end();
      });
    }
  }

  private sendUdp(message: Buffer): void {
    if (!this.udp) {
      const socket = dgram.createSocket(net.isIPv6(this.target.host) ? 'udp6' : 'udp4');
      socket.on('error', (error) => this.failed(error));
      socket.unref();
      this.udp = socket;
    }
    this.udp.send(message, this.target.port, this.target.host, (error) => (error ? this.failed(error) : this.worked()));
  }

  private sendTcp(message: string): void {
    const body = Buffer.from(message, 'utf8');
    // RFC 6587 octet counting: the length of the message in bytes, a space, the message.
    this.queue.push(Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]));
    if (this.queue.length > MAX_QUEUED) {
      this.queue.shift();
      this.dropped += 1;
    }
    if (this.tcp) {
      if (this.connected) this.flushQueue();
      return;
    }
    const socket = net.connect({ host: this.target.host, port: this.target.port });
    socket.setNoDelay(true);
    socket.unref();
    this.tcp = socket;
    socket.on('connect', () => {
      this.connected = true;
      this.worked();
      this.flushQueue();
    });
    socket.on('error', (error) => this.failed(error));
    socket.on('close', () => {
      if (this.tcp === socket) {
        this.tcp = null;
        this.connected = false;
      }
    });
  }

  private flushQueue(): void {
    const socket = this.tcp;
    if (!socket) return;
    while (this.queue.length > 0) socket.write(this.queue.shift()!);
  }

  private failed(error: unknown): void {
    if (this.failing || this.closed) return;
    this.failing = true;
    const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    this.log.error('Audit records cannot be forwarded to the syslog server; they are kept in the local log', {
      host: this.target.host,
      port: this.target.port,
      protocol: this.target.protocol,
      error: code,
    });
  }

  private worked(): void {
    if (!this.failing) return;
    this.failing = false;
    this.log.info('Audit records are forwarded to the syslog server again', {
      host: this.target.host,
      port: this.target.port,
      dropped: this.dropped,
    });
    this.dropped = 0;
  }
}
