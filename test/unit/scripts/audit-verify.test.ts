/** `npm run audit:verify -- <file>`, run as IT runs it: a child process on a copy of the log. */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { AuditKey } from '../../../main/audit/audit-key';
import { sealRecord, serializeRecord } from '../../../main/audit/audit-record';
import { tempDir } from '../helpers';
import { buildChain, headOf, rechainFrom, rotationRecord, T0, toText } from '../main/audit/audit-fixtures';

const ROOT = path.resolve(__dirname, '../../..');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // The tsx that `npx tsx` and the npm script resolve to, without npx's own start-up.
    const { stdout, stderr } = await promisify(execFile)(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      ['scripts/audit-verify.ts', ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function logWith(text: string, name = 'audit.jsonl', dir?: string): Promise<string> {
  const file = path.join(dir ?? (await tempDir()), name);
  await fs.writeFile(file, text);
  return file;
}

function resultJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

const records = buildChain(12);

describe('npm run audit:verify', () => {
  it('says an intact log is intact, with a JSON result, and exits 0', async () => {
    const file = await logWith(toText(records));
    const { code, stdout } = await run([file]);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^OK: .*chain intact, 12 records/);
    expect(resultJson(stdout)).toMatchObject({ file, ok: true, count: 12, head: { seq: 12, hash: records[11]!.hash } });
  }, 30_000);

  it('accepts an empty log', async () => {
    const { code, stdout } = await run([await logWith('')]);
    expect(code).toBe(0);
    expect(resultJson(stdout)).toMatchObject({ ok: true, count: 0 });
  }, 30_000);

  it('names the first broken record of an edited log, and exits 1', async () => {
    const lines = records.map(serializeRecord);
    expect(lines[6]).toContain('"alice"');
    lines[6] = lines[6]!.replace('"alice"', '"mallory"');
    const file = await logWith(lines.map((l) => `${l}\n`).join(''));
    const { code, stdout } = await run([file]);
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toMatch(/^BROKEN: .*first broken record at line 7 \(seq 7\): hash mismatch\./);
    expect(resultJson(stdout)).toMatchObject({ ok: false, count: 6, brokenAt: { line: 7, seq: 7 }, reason: 'hash mismatch' });
  }, 30_000);

  it('names the record after a deleted one, and exits 1', async () => {
    const file = await logWith(toText([...records.slice(0, 4), ...records.slice(5)]));
    const { code, stdout } = await run([file]);
    expect(code).toBe(1);
    expect(resultJson(stdout)).toMatchObject({ ok: false, brokenAt: { line: 5, seq: 6 }, reason: 'prev mismatch' });
  }, 30_000);

  it('reports a cut-short last line as a truncated record, and exits 1', async () => {
    const file = await logWith(toText(records).slice(0, -30));
    const { code, stdout } = await run([file]);
    expect(code).toBe(1);
    expect(stdout).toContain('truncated record');
    expect(resultJson(stdout)).toMatchObject({ ok: false, brokenAt: { line: 12, seq: null }, reason: 'truncated record' });
  }, 30_000);

  it('says a missing file cannot be read, without a stack trace, and exits 2', async () => {
    const missing = path.join(await tempDir(), 'nope.jsonl');
    const { code, stdout, stderr } = await run([missing]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`Cannot read audit log ${missing}: no such file.`);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('says a folder cannot be read, and exits 2', async () => {
    const { code, stderr } = await run([await tempDir()]);
    expect(code).toBe(2);
    expect(stderr).toContain('it is a folder');
  }, 30_000);

  it.each([[[]], [['a.jsonl', 'b.jsonl']], [['--strict', 'a.jsonl']], [['--chain', 'a.jsonl']]])(
    'prints its usage for %j, and exits 2',
    async (args) => {
      const { code, stderr } = await run(args);
      expect(code).toBe(2);
      expect(stderr).toContain('usage: npm run audit:verify -- <audit log file>');
      expect(stderr).not.toMatch(/\n\s+at /);
    },
    30_000,
  );

  describe('with MACs (written by an anchored Portico)', () => {
    const key = AuditKey.fromBytes(randomBytes(32));
    const legacy = buildChain(3);
    const keyed = buildChain(4, headOf(legacy[2]!), T0 + 3_600_000, key);

    it('checks the chain but says plainly that it cannot check MACs, and exits 0', async () => {
      const { code, stdout } = await run([await logWith(toText([...legacy, ...keyed]))]);
      expect(code).toBe(0);
      expect(stdout.split('\n')[0]).toMatch(
        /^OK: .*chain intact, 7 records .* 4 records carry MACs that only Portico can check .*does not prove who wrote them\. 3 records have no MAC/,
      );
      expect(resultJson(stdout)).toMatchObject({ ok: true, count: 7, unkeyed: 3, macsChecked: false });
    }, 30_000);

    it('reports a record without a MAC after one with a MAC, and exits 1', async () => {
      const stripped = rechainFrom([...legacy, ...keyed], 5, true);
      const { code, stdout } = await run([await logWith(toText(stripped))]);
      expect(code).toBe(1);
      expect(resultJson(stdout)).toMatchObject({ ok: false, brokenAt: { line: 6, seq: 6 }, reason: 'mac missing' });
    }, 30_000);

    it('reports a break Portico noted at a start (a tail cut), although the file chains, and exits 1', async () => {
      const note = sealRecord(
        headOf(keyed[3]!),
        {
          actor: null,
          action: 'audit.chain-broken',
          outcome: 'failure',
          details: { reason: 'records missing', brokenLine: 8, brokenSeq: 8 },
        },
        T0 + 7_200_000,
        key,
      );
      const { code, stdout } = await run([await logWith(toText([...legacy, ...keyed, note]))]);
      expect(code).toBe(1);
      expect(stdout).toMatch(
        /BROKEN: .*line 8 \(seq 8\): records missing\. When it started on .*, Portico found this log altered/,
      );
      expect(resultJson(stdout)).toMatchObject({ ok: false, reason: 'records missing', notedBy: { line: 8, seq: 8 } });
    }, 30_000);
  });

  describe('with retention (archives and rotated files)', () => {
    // An archive that itself continues an older one, and the current file that continues it.
    const FIRST = 'audit-2026-01-05-12.jsonl';
    const SECOND = 'audit-2026-01-06-17.jsonl';
    const secondStart = rotationRecord(FIRST, records, T0 + 86_400_000);
    const second = [secondStart, ...buildChain(4, headOf(secondStart), T0 + 86_400_000 + 60_000)];
    const currentStart = rotationRecord(SECOND, second, T0 + 2 * 86_400_000);
    const current = [currentStart, ...buildChain(3, headOf(currentStart), T0 + 2 * 86_400_000 + 60_000)];

    async function files(texts = [toText(records), toText(second), toText(current)]): Promise<string[]> {
      const dir = await tempDir();
      return [
        await logWith(texts[0]!, FIRST, dir),
        await logWith(texts[1]!, SECOND, dir),
        await logWith(texts[2]!, 'audit.jsonl', dir),
      ];
    }

    it('verifies a current file that starts with a rotation record on its own, saying what it continues', async () => {
      const [, , file] = await files();
      const { code, stdout } = await run([file!]);
      expect(code).toBe(0);
      expect(stdout.split('\n')[0]).toMatch(
        /^OK: .*chain intact continuing audit-2026-01-06-17\.jsonl after record 17, 4 records/,
      );
      expect(resultJson(stdout)).toMatchObject({
        ok: true,
        count: 4,
        head: { seq: 21 },
        rotatedFrom: { archive: SECOND, head: { seq: 17, hash: second[4]!.hash } },
      });
    }, 30_000);

    it('verifies an archive on its own, whether it starts the chain or continues another archive', async () => {
      const [first, middle] = await files();
      expect(await run([first!])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK: .*12 records/) });
      const { code, stdout } = await run([middle!]);
      expect(code).toBe(0);
      expect(resultJson(stdout)).toMatchObject({ ok: true, count: 5, rotatedFrom: { archive: FIRST } });
    }, 30_000);

    it('--chain checks every file and every hand-off, and exits 0', async () => {
      const { code, stdout } = await run(['--chain', ...(await files())]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/OK: .*audit\.jsonl continues .*audit-2026-01-06-17\.jsonl \(after record 17\)/);
      expect(resultJson(stdout)).toMatchObject({
        ok: true,
        files: [{ ok: true }, { ok: true }, { ok: true }],
        handOffs: [{ ok: true }, { ok: true }],
      });
    }, 30_000);

    it('--chain reports an archive cut short at its end (each file alone still verifies), and exits 1', async () => {
      const cut = await files([toText(records), toText(second.slice(0, 3)), toText(current)]);
      expect((await run([cut[1]!])).code).toBe(0);
      const { code, stdout } = await run(['--chain', ...cut]);
      expect(code).toBe(1);
      expect(stdout).toMatch(/BROKEN: .*audit\.jsonl does not continue .*audit-2026-01-06-17\.jsonl: .*ends at record 15/);
      expect(resultJson(stdout)).toMatchObject({ ok: false, handOffs: [{ ok: true }, { ok: false }] });
    }, 30_000);

    it('--chain reports files given out of order, and exits 1', async () => {
      const [first, middle, last] = await files();
      const { code, stdout } = await run(['--chain', first!, last!, middle!]);
      expect(code).toBe(1);
      expect(resultJson(stdout)).toMatchObject({ ok: false, handOffs: [{ ok: false }, { ok: false }] });
    }, 30_000);
  });
});
