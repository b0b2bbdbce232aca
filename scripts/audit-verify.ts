/**
 * Checks an audit log's hash chain, for IT or an auditor holding a copy of the file:
 *
 *   npm run audit:verify -- <path to audit.jsonl>
 *
 * Prints one line for a person, then the result as one line of JSON. Exit 0 when the chain is
 * intact, 1 when it is broken (naming the first broken record: line, seq and reason), 2 for a
 * usage error or a file that cannot be read.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { verifyAuditText } from '../main/audit/audit-chain';

const USAGE = 'usage: npm run audit:verify -- <audit log file>';

async function main(): Promise<number> {
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ allowPositionals: true, options: {} }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (positionals.length !== 1 || positionals[0] === '') {
    console.error(USAGE);
    return 2;
  }
  const file = positionals[0]!;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
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
    console.error(`Cannot read audit log ${file}: ${why}.`);
    return 2;
  }

  const result = verifyAuditText(text);
  if (result.ok) {
    const head = result.count === 0 ? 'empty log' : `last record ${result.head.seq}, hash ${result.head.hash}`;
    console.log(`OK: ${file}: chain intact, ${result.count} record${result.count === 1 ? '' : 's'} (${head}).`);
  } else {
    const { line, seq } = result.brokenAt;
    console.log(
      `BROKEN: ${file}: first broken record at line ${line} (seq ${seq ?? 'unknown'}): ${result.reason}. ` +
        `${result.message} ${result.count} record${result.count === 1 ? '' : 's'} verified before it.`,
    );
  }
  console.log(JSON.stringify({ file, ...result }));
  return result.ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    // Unexpected (not an I/O error on the file): a message, no stack trace.
    console.error(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
