/**
 * The SAML response verifier's worker thread (see saml-verifier.ts): one request at a time per
 * message, answered with its id. Built as its own entry (electron.vite.config.ts:
 * out/main/saml-worker.js, inside app.asar: Electron gives worker threads asar support); in tests
 * it runs from this .ts file through tsx.
 */
import { parentPort } from 'node:worker_threads';
import { verifySamlResponse, type VerifyRequest } from './saml-verifier';

if (!parentPort) throw new Error('saml-worker must run as a worker thread');
const port = parentPort;

port.on('message', (message: { id: number; request: VerifyRequest }) => {
  void verifySamlResponse(message.request).then((outcome) => port.postMessage({ id: message.id, outcome }));
});
port.postMessage({ ready: true });
