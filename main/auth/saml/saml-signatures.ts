/**
 * The XML signatures of a SAML response, looked at before node-saml verifies them: where they
 * may be, and which of the configured IdP certificates signed each one.
 *
 * node-saml (through xml-crypto) tries every configured certificate on every signature, and
 * xml-crypto canonicalises and digests the whole signed element BEFORE it checks the signature
 * value. A forged signature (any SignatureValue with a correct digest) therefore costs a full
 * parse and canonicalisation per certificate and signature, up to five certificates during a
 * rollover. Checking the signature value over the small SignedInfo first is cheap (one RSA
 * verification per certificate); node-saml is then given only the certificates whose key signed,
 * and a signature no certificate signed is refused here. node-saml still verifies everything
 * itself (digests, references, transforms): this only narrows what it tries, and fails early.
 */
import { keyInfoToPem } from '@node-saml/node-saml/lib/crypto';
import { SignedXml } from 'xml-crypto';
import { SamlError } from './saml-errors';
import { NS } from './saml-response-checks';

/** The parts of xml-crypto's SignedXml used here, which its type declarations mark private. */
interface SignedXmlInternals {
  signatureAlgorithm?: string;
  signatureValue: string;
  getCanonSignedInfoXml(doc: Document): string;
  findSignatureAlgorithm(name: string | undefined): {
    verifySignature(material: string, key: string, signatureValue: string): boolean;
  };
}

/** The ds:Signature children of `element` (an enveloped signature is its element's child). */
export function ownSignatures(element: Element): Element[] {
  const out: Element[] = [];
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && (node as Element).namespaceURI === NS.dsig && (node as Element).localName === 'Signature') {
      out.push(node as Element);
    }
  }
  return out;
}

/**
 * Every ds:Signature must be the enveloped signature of `allowed` elements (the Response and its
 * Assertion): one anywhere else signs something Portico never reads, which an IdP does not send.
 */
export function checkSignaturePlacement(doc: Document, allowed: readonly Element[]): void {
  for (const signature of Array.from(doc.getElementsByTagNameNS(NS.dsig, 'Signature'))) {
    const parent = signature.parentNode as Element | null;
    if (!parent || !allowed.includes(parent)) {
      throw new SamlError(
        'SAML_SIGNATURE',
        `a signature inside <${parent?.nodeName ?? '?'}>, outside the Response and Assertion`,
      );
    }
  }
  for (const element of allowed) {
    if (ownSignatures(element).length > 1)
      throw new SamlError('SAML_SIGNATURE', `more than one signature on ${element.localName}`);
  }
}

/**
 * The indexes (into `certificates`) of the certificates whose key produced `signature`'s
 * SignatureValue over its canonical SignedInfo, exactly as xml-crypto computes both. Empty when
 * none did. `doc` is the document the signature is in (the canonical form depends on it).
 */
export function certificatesThatSigned(doc: Document, signature: Element, certificates: readonly string[]): number[] {
  let canonical: string;
  let verifier: ReturnType<SignedXmlInternals['findSignatureAlgorithm']>;
  let value: string;
  try {
    const signed = new SignedXml();
    signed.loadSignature(signature);
    const internals = signed as unknown as SignedXmlInternals;
    canonical = internals.getCanonSignedInfoXml(doc);
    verifier = internals.findSignatureAlgorithm(internals.signatureAlgorithm);
    value = internals.signatureValue;
  } catch (error) {
    throw new SamlError('SAML_SIGNATURE', `unreadable signature: ${error instanceof Error ? error.message : String(error)}`);
  }
  const signers: number[] = [];
  certificates.forEach((certificate, index) => {
    try {
      if (verifier.verifySignature(canonical, keyInfoToPem(certificate, 'CERTIFICATE'), value)) signers.push(index);
    } catch {
      // A certificate that cannot be used (bad encoding) signed nothing.
    }
  });
  return signers;
}
