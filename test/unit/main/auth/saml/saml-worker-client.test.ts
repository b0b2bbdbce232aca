/**
 * SAML responses are verified in a worker thread (main/auth/saml/saml-worker-client.ts), so that
 * no response holds up the main process. The real worker verifies real responses in every other
 * SAML test; here: the built worker (out/main/saml-worker.js, what the app ships) answers, and the
 * client's failure paths, with stand-in workers that hang or crash (named so): every failure is a
 * refusal, the main thread keeps running meanwhile, and the next request gets a new worker.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { samlProviderConfig } from '../../../../../main/auth/saml/saml-config';
import { samlWorkerScript, WorkerSamlVerifier } from '../../../../../main/auth/saml/saml-worker-client';

const CERT = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(120)}\n-----END CERTIFICATE-----`;
const config = samlProviderConfig.parse({
  id: 'corp',
  displayName: 'Corp',
  idpSsoUrl: 'https://idp.example.com/sso',
  idpEntityId: 'https://idp.example.com',
  idpCertificates: [CERT],
});
const request = (xml: string) => ({ config, samlResponse: Buffer.from(xml).toString('base64'), requestId: '_r' });
const NOT_SAML = '<notSaml/>';

/** A stand-in worker that says it is ready, then does what `onMessage` (source) does with each request. */
const standInWorker = (onMessage: string) => ({
  eval: true,
  filename:
    "const { parentPort } = require('node:worker_threads');\n" +
    `parentPort.on('message', (message) => { ${onMessage} });\n` +
    'parentPort.postMessage({ ready: true });',
});

describe('SAML verifier worker', () => {
  it('the worker from the sources answers with a refusal value, not a throw', async () => {
    const verifier = new WorkerSamlVerifier(samlWorkerScript());
    try {
      await expect(verifier.verify(request(NOT_SAML))).resolves.toEqual({
        ok: false,
        code: 'SAML_MALFORMED',
        detail: 'root element is notSaml',
        answered: false,
      });
    } finally {
      await verifier.close();
    }
  }, 60_000);

  it('the built worker the app ships (out/main/saml-worker.js) starts and answers the same', async () => {
    const built = path.resolve(__dirname, '../../../../../out/main/saml-worker.js');
    expect(existsSync(built), 'run `npx electron-vite build` first').toBe(true);
    const verifier = new WorkerSamlVerifier({ filename: built, eval: false });
    try {
      await expect(verifier.verify(request(NOT_SAML))).resolves.toMatchObject({ ok: false, code: 'SAML_MALFORMED' });
    } finally {
      await verifier.close();
    }
  }, 60_000);

  it('a verification that never ends is stopped and refused, while the main thread keeps running; the next gets a new worker', async () => {
    const verifier = new WorkerSamlVerifier(standInWorker('while (true) {}'), 500);
    try {
      let ticks = 0;
      const ticking = setInterval(() => ticks++, 10);
      const outcome = await verifier.verify(request(NOT_SAML));
      clearInterval(ticking);
      expect(outcome).toEqual({
        ok: false,
        code: 'SAML_TOO_LARGE',
        detail: 'verification took longer than 0.5 s',
        answered: true,
      });
      expect(ticks).toBeGreaterThan(0);
      // A new worker (the stand-in hangs again, and is stopped again).
      await expect(verifier.verify(request(NOT_SAML))).resolves.toMatchObject({ code: 'SAML_TOO_LARGE' });
    } finally {
      await verifier.close();
    }
  }, 60_000);

  it('a worker that crashes refuses what it was verifying, and the next request starts another', async () => {
    const verifier = new WorkerSamlVerifier(standInWorker("throw new Error('boom');"));
    try {
      await expect(verifier.verify(request(NOT_SAML))).resolves.toEqual({
        ok: false,
        code: 'SAML_MALFORMED',
        detail: 'the verifier stopped',
        answered: true,
      });
      await expect(verifier.verify(request(NOT_SAML))).resolves.toMatchObject({ detail: 'the verifier stopped' });
    } finally {
      await verifier.close();
    }
  }, 60_000);

  it('a worker that cannot start is a refusal too', async () => {
    const verifier = new WorkerSamlVerifier({ filename: "throw new Error('cannot load');", eval: true });
    const outcome = await verifier.verify(request(NOT_SAML));
    expect(outcome).toMatchObject({ ok: false, code: 'SAML_MALFORMED' });
    expect(outcome.ok ? '' : outcome.detail).toMatch(/^the verifier did not start/);
  }, 60_000);
});
