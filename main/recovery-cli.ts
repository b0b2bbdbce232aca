/**
 * `Portico --reset-admin-password <username>`: the way back for an administrator who lost
 * their password or is locked out, when no other administrator can reset it. It runs as the
 * OS account that owns this Portico profile (it opens the vault with that account's keychain
 * entry), sets the new password read from standard input, clears the lockout and writes the
 * reset to the audit log. Anyone who controls that OS account could already read and replace
 * Portico's files (README, threat model), so this grants nothing that account does not have.
 *
 * The password is read from standard input, never from the command line (other users can
 * read a process's arguments); on a terminal it is not echoed and is asked twice.
 */
import type { PorticoApp } from './app';
import { AppError } from './errors';

export const RESET_ADMIN_FLAG = '--reset-admin-password';

/** The username after the flag, null without the flag, or an error when the flag has none. */
export function recoveryRequest(argv: readonly string[]): { username: string } | { error: string } | null {
  const at = argv.indexOf(RESET_ADMIN_FLAG);
  if (at < 0) return null;
  const username = argv[at + 1];
  if (!username || username.startsWith('--')) return { error: `Usage: Portico ${RESET_ADMIN_FLAG} <username>` };
  return { username };
}

export interface RecoveryCliDeps {
  username: string;
  /** Reads one line of standard input without echoing it on a terminal; `prompt` is shown first. */
  readSecret(prompt: string): Promise<string>;
  /** True when standard input is a terminal (then the password is asked twice). */
  interactive: boolean;
  out(text: string): void;
  err(text: string): void;
  /** Starts Portico's services on this profile, without a window. */
  start(): Promise<PorticoApp>;
}

/** Exit codes: 0 reset, 1 refused or failed (with the reason on stderr). */
export async function runPasswordRecovery(deps: RecoveryCliDeps): Promise<number> {
  const app = await deps.start();
  try {
    const status = app.status();
    if (status.state === 'error') {
      deps.err(`Portico cannot open this profile: ${status.message}\n`);
      return 1;
    }
    const password = await deps.readSecret(`New password for ${deps.username}: `);
    if (deps.interactive && (await deps.readSecret('Type it again: ')) !== password) {
      deps.err('The two passwords differ. Nothing was changed.\n');
      return 1;
    }
    const { secondFactorRemoved } = await app.recoverAdministrator(deps.username, password);
    deps.out(`The password of ${deps.username} was reset and any lockout cleared. Sign in to Portico with it.\n`);
    if (secondFactorRemoved) {
      deps.out('Two-step verification was removed too: set it up again from Account (Portico asks at sign-in if required).\n');
    }
    return 0;
  } catch (error) {
    deps.err(`${error instanceof AppError ? error.message : `The password could not be reset: ${String(error)}`}\n`);
    return 1;
  } finally {
    await app.flush();
    await app.close();
  }
}

/** One line from a stream; on a TTY, raw mode so nothing is echoed. At most 1,024 characters. */
export function readSecretLine(input: NodeJS.ReadStream, output: NodeJS.WriteStream, prompt: string): Promise<string> {
  output.write(prompt);
  return new Promise((resolve, reject) => {
    let line = '';
    const tty = input.isTTY === true;
    if (tty) input.setRawMode(true);
    input.setEncoding('utf8');
    const finish = (error: Error | null) => {
      input.off('data', onData);
      input.off('end', onEnd);
      if (tty) {
        input.setRawMode(false);
        output.write('\n');
      }
      input.pause();
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\n' || char === '\r') return finish(null);
        if (char === '\u0003') return finish(new Error('Cancelled.'));
        if (char === '\u007f' || char === '\b') line = line.slice(0, -1);
        else line += char;
        if (line.length > 1024) return finish(new Error('Passwords are at most 1024 characters.'));
      }
    };
    const onEnd = () => finish(null);
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}
