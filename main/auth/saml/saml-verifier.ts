/**
 * The CPU-bound half of validating a SAML response, as one function of plain data: bounds,
 * structure, algorithms, where signatures are and which certificate made them, node-saml's
 * verification, and the verified assertion read back. It runs in a worker thread
 * (saml-verifier-worker.ts), so that no response, however built, holds up the main process; the
 * service provider keeps what needs state (the attempt's request id, replay, its clock).
 *
 * Its answer is a value, never a throw, so that it crosses the thread boundary whole.
 */
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { decryptXml } from '@node-saml/node-saml/lib/xml';
import type { SamlProviderConfig } from './saml-config';
import { spEndpoints } from './saml-config';
import { fromNodeSamlError, SamlError, type SamlRefusal } from './saml-errors';
import { baseSamlOptions } from './saml-options';
import {
  checkAlgorithms,
  checkResponseShape,
  childElements,
  decodeSamlResponse,
  elements,
  NS,
  parseSamlXml,
} from './saml-response-checks';
import { readAssertion, type SamlAssertion } from './saml-assertion';
import { certificatesThatSigned, checkSignaturePlacement, ownSignatures } from './saml-signatures';

export interface VerifyRequest {
  config: SamlProviderConfig;
  /** The SAMLResponse form field, base64. */
  samlResponse: string;
  /** The id of the AuthnRequest this response must answer (InResponseTo). */
  requestId: string;
}

export type VerifyOutcome =
  | { ok: true; assertion: SamlAssertion; responseIssuer: string | null }
  | {
      ok: false;
      code: SamlRefusal;
      detail: string;
      /** The response said it answers `requestId`: the attempt is used up, as after any verification. */
      answered: boolean;
    };

export async function verifySamlResponse(request: VerifyRequest): Promise<VerifyOutcome> {
  let answered = false;
  try {
    const { config, samlResponse, requestId } = request;
    const xml = decodeSamlResponse(samlResponse);
    const doc = parseSamlXml(xml);
    const shape = checkResponseShape(doc, spEndpoints(config).acsUrl);
    if (shape.inResponseTo !== requestId) {
      throw new SamlError('SAML_IN_RESPONSE_TO', shape.inResponseTo ? 'answers another attempt' : 'unsolicited');
    }
    answered = true;
    const response = doc.documentElement!;
    const assertion = childElements(response, NS.assertion, 'Assertion')[0];
    checkSignaturePlacement(doc, assertion ? [response, assertion] : [response]);
    const signed = [...ownSignatures(response), ...(assertion ? ownSignatures(assertion) : [])].map((s) => ({
      doc,
      signature: s,
    }));
    signed.push(...(await checkEncryptedAssertion(doc, config)));
    const certificates = signingCertificates(signed, config.idpCertificates);
    // A Response signature that is there must verify, whatever requireSignedResponse says:
    // a broken one means the Response was changed after the IdP signed it.
    const responseSigned = config.requireSignedResponse || ownSignatures(response).length > 0;

    let assertionXml: string;
    try {
      const saml = new SAML({
        ...baseSamlOptions(config),
        idpCert: certificates,
        wantAuthnResponseSigned: responseSigned,
        // The service provider checks InResponseTo against the attempt (and uses it up) itself.
        validateInResponseTo: ValidateInResponseTo.never,
      });
      const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse });
      const signedAssertion = profile?.getAssertionXml?.();
      if (!signedAssertion) throw new SamlError('SAML_NO_SUBJECT', 'no assertion');
      assertionXml = signedAssertion;
    } catch (error) {
      throw error instanceof SamlError ? error : fromNodeSamlError(error);
    }
    return { ok: true, assertion: readAssertion(assertionXml), responseIssuer: shape.issuer };
  } catch (error) {
    if (error instanceof SamlError) return { ok: false, code: error.code, detail: error.detail, answered };
    return { ok: false, code: 'SAML_MALFORMED', detail: error instanceof Error ? error.message : String(error), answered };
  }
}

/**
 * With several certificates configured (a rollover): those that signed at least one of `signed`
 * (see saml-signatures.ts); a signature none of them signed is refused here, before node-saml
 * canonicalises anything once per certificate.
 */
function signingCertificates(
  signed: ReadonlyArray<{ doc: Document; signature: Element }>,
  certificates: readonly string[],
): string[] {
  // One certificate: nothing to narrow, and node-saml's single try costs what a valid response
  // costs (the bounds keep both small); the check would only add its own ~1 ms per signature.
  if (certificates.length === 1) return [...certificates];
  const used = new Set<number>();
  for (const { doc, signature } of signed) {
    const signers = certificatesThatSigned(doc, signature, certificates);
    if (signers.length === 0) {
      const what = (signature.parentNode as Element | null)?.localName ?? 'element';
      throw new SamlError('SAML_SIGNATURE', `the ${what} signature was not made by any of idpCertificates`);
    }
    for (const index of signers) used.add(index);
  }
  // No signature at all: node-saml refuses the unsigned assertion itself (with every certificate).
  return used.size > 0 ? certificates.filter((_, index) => used.has(index)) : [...certificates];
}

/**
 * An EncryptedAssertion hides its signature from the checks on the raw response, and node-saml
 * verifies it whatever its algorithm (SHA-1 included): decrypt it here first and hold its content
 * to the same limits (anyone can encrypt for Portico's certificate, so it is untrusted until
 * node-saml has verified it). Without a decryption key node-saml refuses it (SAML_ENCRYPTION).
 */
async function checkEncryptedAssertion(
  doc: Document,
  config: SamlProviderConfig,
): Promise<Array<{ doc: Document; signature: Element }>> {
  const encrypted = elements(doc, NS.assertion, 'EncryptedAssertion')[0];
  if (!encrypted || !config.decryption) return [];
  let decrypted: string;
  try {
    decrypted = await decryptXml(encrypted.toString(), config.decryption.privateKey);
  } catch (error) {
    throw new SamlError('SAML_ENCRYPTION', error instanceof Error ? error.message : String(error));
  }
  const inner = parseSamlXml(decrypted);
  checkAlgorithms(inner);
  const assertion = inner.documentElement!;
  if (assertion.namespaceURI !== NS.assertion || assertion.localName !== 'Assertion') {
    throw new SamlError('SAML_ENCRYPTION', `decrypted content is ${assertion.nodeName}, not an Assertion`);
  }
  checkSignaturePlacement(inner, [assertion]);
  return ownSignatures(assertion).map((signature) => ({ doc: inner, signature }));
}
