/**
 * Main's side of the SAML verifier worker (saml-worker.ts): SAML responses are verified off the
 * main thread, so that the window and IPC stay responsive whatever a response holds (issue 12:
 * node-saml's XPath and canonicalisation cost 20-30 µs a node and never yield).
 *
 * One worker for the whole process, started at the first response and kept (unref'd while
 * idle, so it never keeps a process alive by itself). A request that takes longer than
 * VERIFY_TIMEOUT_MS, however it was built, terminates the worker and is refused; a crash refuses
 * the requests in flight; the next request starts a new worker. Every failure is a refusal:
 * nothing is ever accepted without the worker's answer.
 *
 * Where the worker's code is: in the built app, out/main/saml-worker.js beside this bundle
 * (electron.vite.config.ts); from TypeScript sources (vitest, tsx, the test host), this file
 * ends in .ts and the worker starts from saml-worker.ts through tsx's require hook, as the
 * DuckDB worker does (main/data/data-engine.ts).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { VerifyOutcome, VerifyRequest } from './saml-verifier';

/** A verification that runs longer is stopped: the bounds keep real ones to milliseconds. */
export const VERIFY_TIMEOUT_MS = 20_000;

export interface SamlVerifier {
  verify(request: VerifyRequest): Promise<VerifyOutcome>;
}

export interface WorkerScript {
  filename: string;
  eval: boolean;
}

export function samlWorkerScript(): WorkerScript {
  if (/\.[cm]?ts$/.test(__filename)) {
    const tsx = createRequire(__filename).resolve('tsx/cjs');
    const file = path.join(__dirname, 'saml-worker.ts');
    return { filename: `require(${JSON.stringify(tsx)});\nrequire(${JSON.stringify(file)});`, eval: true };
  }
  return { filename: path.join(__dirname, 'saml-worker.js'), eval: false };
}

const refused = (detail: string, code: 'SAML_MALFORMED' | 'SAML_TOO_LARGE' = 'SAML_MALFORMED'): VerifyOutcome => ({
  ok: false,
  code,
  detail,
  answered: true,
});

export class WorkerSamlVerifier implements SamlVerifier {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private readonly pending = new Map<number, (outcome: VerifyOutcome) => void>();
  private nextId = 1;

  constructor(
    private readonly script: WorkerScript = samlWorkerScript(),
    private readonly timeoutMs = VERIFY_TIMEOUT_MS,
  ) {}

  async verify(request: VerifyRequest): Promise<VerifyOutcome> {
    const worker = this.start();
    worker.ref(); // Work in flight keeps the process alive until it is answered.
    try {
      await this.ready;
    } catch (error) {
      this.settleIdle(worker);
      return refused(`the verifier did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    const id = this.nextId++;
    return new Promise<VerifyOutcome>((resolve) => {
      const timer = setTimeout(() => {
        // However it was built, no response may hold a thread this long: stop it.
        void this.stop(worker, `verification took longer than ${this.timeoutMs / 1000} s`, 'SAML_TOO_LARGE');
      }, this.timeoutMs);
      timer.unref();
      this.pending.set(id, (outcome) => {
        clearTimeout(timer);
        this.pending.delete(id);
        this.settleIdle(worker);
        resolve(outcome);
      });
      worker.postMessage({ id, request });
    });
  }

  /** Stops the worker (app quit, tests); the next request starts another. */
  async close(): Promise<void> {
    if (this.worker) await this.stop(this.worker, 'the verifier was closed');
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script.filename, { eval: this.script.eval });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.once('message', (message: { ready?: boolean }) =>
        message.ready ? resolve() : reject(new Error('unexpected message')),
      );
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`exited with code ${code}`)));
    });
    this.ready.catch(() => undefined);
    worker.on('message', (message: { id?: number; outcome?: VerifyOutcome }) => {
      if (message.id !== undefined && message.outcome) this.pending.get(message.id)?.(message.outcome);
    });
    worker.on('error', () => undefined); // Reported through 'exit', which refuses what is in flight.
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
      for (const answer of [...this.pending.values()]) answer(refused('the verifier stopped'));
    });
    return worker;
  }

  private settleIdle(worker: Worker): void {
    if (this.pending.size === 0) worker.unref();
  }

  private async stop(worker: Worker, why: string, code: 'SAML_MALFORMED' | 'SAML_TOO_LARGE' = 'SAML_MALFORMED'): Promise<void> {
    if (this.worker === worker) this.worker = null;
    for (const answer of [...this.pending.values()]) answer(refused(why, code));
    await worker.terminate();
  }
}

let shared: WorkerSamlVerifier | null = null;

/** The process's one verifier worker. */
export function sharedSamlVerifier(): WorkerSamlVerifier {
  return (shared ??= new WorkerSamlVerifier());
}
