/**
 * Checks an audit log's hash chain, for IT or an auditor holding a copy of the file:
 *
 *   npm run audit:verify -- <path to audit.jsonl or an archive>
 *   npm run audit:verify -- --chain <oldest archive> ... <audit.jsonl>
 *
 * A file that starts with a rotation record (audit retention: it continues an archive) verifies
 * on its own from where the archive ended. `--chain` takes files in order, checks each, and
 * checks that each one continues the one before it exactly (the rotation record names that file,
 * by its file name, and its last seq and hash).
 *
 * Prints one line for a person per file (and per hand-off with --chain), then the result as one
 * line of JSON. Exit 0 when everything is intact, 1 when something is broken (naming the first
 * broken record: line, seq and reason), 2 for a usage error or a file that cannot be read.
 *
 * What it can and cannot prove: it runs without Portico's vault key, so it checks each record's
 * form, the SHA-256 chain, that no record after one with a MAC lacks one, and breaks Portico
 * noted itself. That shows damage and edits by someone who did not recompute the hashes. It
 * cannot check the MACs (someone who recomputes every hash passes it) nor the head kept in the
 * vault (records removed from the end pass it, until Portico's next start notes the cut in the
 * file). The Audit log screen checks both, inside Portico.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyAuditText, type AuditVerification } from '../main/audit/audit-chain';
import { checkHandOff } from '../main/audit/audit-rotation';

const USAGE =
  'usage: npm run audit:verify -- <audit log file>\n       npm run audit:verify -- --chain <archive> ... <audit log file>';

class ReadError extends Error {}

async function main(): Promise<number> {
  let positionals: string[];
  let chain: boolean;
  try {
    const parsed = parseArgs({ allowPositionals: true, options: { chain: { type: 'boolean', default: false } } });
    positionals = parsed.positionals;
    chain = parsed.values.chain;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const enough = chain ? positionals.length >= 2 : positionals.length === 1;
  if (!enough || positionals.some((p) => p === '')) {
    console.error(USAGE);
    return 2;
  }

  const results: (AuditVerification & { file: string })[] = [];
  try {
    for (const file of positionals) results.push({ file, ...verifyAuditText(await readLog(file)) });
  } catch (error) {
    if (!(error instanceof ReadError)) throw error;
    console.error(error.message);
    return 2;
  }
  for (const result of results) console.log(describe(result));
  if (!chain) {
    console.log(JSON.stringify(results[0]));
    return results[0]!.ok ? 0 : 1;
  }

  const handOffs = results.slice(1).map((next, i) => {
    const archive = results[i]!;
    const check = checkHandOff(path.basename(archive.file), archive, next);
    console.log(
      check.ok
        ? `OK: ${next.file} continues ${archive.file} (after record ${archive.head.seq}).`
        : `BROKEN: ${next.file} does not continue ${archive.file}: ${check.message}`,
    );
    return { from: archive.file, to: next.file, ...check };
  });
  const ok = results.every((r) => r.ok) && handOffs.every((h) => h.ok);
  console.log(JSON.stringify({ ok, files: results, handOffs }));
  return ok ? 0 : 1;
}

async function readLog(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (code ?? 'read error');
    throw new ReadError(`Cannot read audit log ${file}: ${why}.`);
  }
}

/** What the chain's being intact does not show without the key. */
function macNote({ count, unkeyed }: AuditVerification): string {
  const keyed = count - unkeyed;
  const parts: string[] = [];
  if (keyed > 0) {
    parts.push(
      `${keyed} record${keyed === 1 ? ' carries a MAC' : 's carry MACs'} that only Portico can check (Audit log screen): ` +
        'this check does not prove who wrote them.',
    );
  }
  if (unkeyed > 0) parts.push(`${unkeyed} record${unkeyed === 1 ? ' has' : 's have'} no MAC (written before Portico kept MACs).`);
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

function describe(result: AuditVerification & { file: string }): string {
  const { file } = result;
  const from = result.rotatedFrom ? ` continuing ${result.rotatedFrom.archive} after record ${result.rotatedFrom.head.seq}` : '';
  const records = `${result.count} record${result.count === 1 ? '' : 's'}`;
  if (result.ok) {
    const head = result.count === 0 ? 'empty log' : `last record ${result.head.seq}, hash ${result.head.hash}`;
    return `OK: ${file}: chain intact${from}, ${records} (${head}).${macNote(result)}`;
  }
  const { line, seq } = result.brokenAt;
  return (
    `BROKEN: ${file}: first broken record at line ${line} (seq ${seq ?? 'unknown'}): ${result.reason}. ` +
    `${result.message} ${records} verified before it.`
  );
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    // Unexpected (not an I/O error on the file): a message, no stack trace.
    console.error(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
