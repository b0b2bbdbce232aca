/**
 * ARCHITECTURE.md's channel table is the contract as it is: one row per channel of
 * preload/contract.ts, with the preload function that calls it, the file whose handler serves
 * it, its access rule and recent sign-in need, and the audit actions main/audit/ipc-audit.ts
 * records for it. A channel added, renamed or changed fails here until the table says so.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { channels, type ChannelName } from '../../../preload/contract';
import { createPorticoApi, type Invoke } from '../../../preload/api';
import { auditEventFor } from '../../../main/audit/ipc-audit';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const FIX = 'update the channel table in ARCHITECTURE.md ("## Channels")';

interface Row {
  channel: string;
  api: string;
  handler: string;
  access: string;
  recentSignIn: string;
  audit: string;
}

/** The rows of the table under "## Channels": `| \`channel\` | ... |`. */
function channelTable(): Row[] {
  const doc = read('ARCHITECTURE.md');
  const section = /^## Channels\n([\s\S]*?)(?=^## )/m.exec(doc)?.[1];
  if (!section) throw new Error('ARCHITECTURE.md has no "## Channels" section before the next "## " heading.');
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      const bare = (cell: string | undefined) => (cell ?? '').replace(/`/g, '');
      return {
        channel: bare(cells[0]),
        api: bare(cells[1]),
        handler: bare(cells[2]),
        access: bare(cells[3]),
        recentSignIn: bare(cells[4]),
        audit: cells[5] ?? '',
      };
    });
}

/** Which preload function calls which channel: each function called once with a recording invoke. */
function apiFunctions(): Map<string, string> {
  const calls: string[] = [];
  const invoke = (async (channel: string) => {
    calls.push(channel);
    return { ok: true, value: null };
  }) as unknown as Invoke;
  const api = createPorticoApi(invoke) as unknown as Record<string, (payload: unknown) => unknown>;
  const byChannel = new Map<string, string>();
  for (const [name, fn] of Object.entries(api)) {
    void fn({});
    const channel = calls.pop();
    if (channel) byChannel.set(channel, name);
  }
  return byChannel;
}

const rows = channelTable();
const contract = Object.keys(channels) as ChannelName[];

describe('ARCHITECTURE.md channel table', () => {
  it('has one row per channel of the contract, and no other', () => {
    const named = rows.map((r) => r.channel);
    expect(
      named.filter((c, i) => named.indexOf(c) !== i),
      `channels listed twice: ${FIX}`,
    ).toEqual([]);
    expect([...named].sort(), FIX).toEqual([...contract].sort());
  });

  it.each(contract)('%s: access rule and recent sign-in as the contract says', (channel) => {
    const row = rows.find((r) => r.channel === channel);
    expect(row, FIX).toBeDefined();
    expect(row!.access, FIX).toBe(channels[channel].access);
    expect(row!.recentSignIn, FIX).toBe(channels[channel].recentSignIn ? 'yes' : 'no');
  });

  it.each(contract)('%s: the preload function and the handler file are the ones that serve it', (channel) => {
    const row = rows.find((r) => r.channel === channel);
    expect(row, FIX).toBeDefined();
    expect(row!.api, FIX).toBe(apiFunctions().get(channel));
    expect(read(row!.handler), `${row!.handler} registers ${channel}: ${FIX}`).toContain(`handle('${channel}'`);
  });

  it.each(contract)('%s: the audit actions named are the ones ipc-audit.ts can record for it', (channel) => {
    const row = rows.find((r) => r.channel === channel);
    expect(row, FIX).toBeDefined();
    const actions = [...row!.audit.matchAll(/`([a-z]+\.[a-z.-]+)`/g)].map((m) => m[1]!);
    const source = read('main/audit/ipc-audit.ts');
    if (actions.length === 0) {
      // "—": neither its answer nor its failure is recorded (a refusal for lack of permission is, for every channel).
      expect(auditEventFor({ channel, input: {}, result: { ok: true, value: null }, actor: 'ada' }), FIX).toBeNull();
      expect(
        auditEventFor({ channel, input: {}, result: { ok: false, code: 'INTERNAL', message: 'x' }, actor: 'ada' }),
        FIX,
      ).toBeNull();
      return;
    }
    expect(source, `ipc-audit.ts handles ${channel}: ${FIX}`).toContain(`'${channel}'`);
    for (const action of actions) expect(source, `${action} for ${channel}: ${FIX}`).toContain(`'${action}'`);
  });

  it('states the registry’s checks in the order main/ipc/registry.ts runs them', () => {
    const header = /^\/\*\*([\s\S]*?)\*\//.exec(read('main/ipc/registry.ts'))?.[1] ?? '';
    const inCode = [...header.matchAll(/^ \*\s+\d\. (\w+):/gm)].map((m) => m[1]!.toLowerCase());
    expect(inCode.length, 'the numbered check list in the header of main/ipc/registry.ts').toBeGreaterThan(3);
    const inDoc = [...read('ARCHITECTURE.md').matchAll(/^\d\. \*\*(\w+)\*\*/gm)].map((m) => m[1]!.toLowerCase());
    expect(inDoc, 'the numbered list "1. **sender**: ..." in ARCHITECTURE.md').toEqual(inCode);
  });
});
