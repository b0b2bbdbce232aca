/**
 * Reads who signed in from the assertion node-saml has verified (the signed bytes only, after
 * canonicalisation). Text is read whole (`textContent`), so a NameID split by an XML comment,
 * `admin@corp.test<!---->.evil.test`, is read as the full string, never its first half. Values
 * are never trimmed: `" <alice's id> "` is not alice (identifiers with surrounding whitespace
 * are refused, see `exactIdentifier`).
 */
import { DOMParser } from '@xmldom/xmldom';
import { childElements, elements, NS } from './saml-response-checks';
import { SamlError } from './saml-errors';

export interface SamlAssertion {
  id: string;
  issuer: string;
  nameId: string;
  nameIdFormat: string | null;
  /** The NameID's qualifiers as sent: single logout must send them back unchanged. */
  nameQualifier: string | null;
  spNameQualifier: string | null;
  /** Bearer SubjectConfirmationData. */
  recipient: string | null;
  inResponseTo: string | null;
  subjectNotOnOrAfter: number | null;
  notBefore: number | null;
  notOnOrAfter: number | null;
  audiences: string[];
  sessionIndex: string | null;
  sessionNotOnOrAfter: number | null;
  /** Attribute Name -> values (always an array, even for one value), as sent: never trimmed. */
  attributes: Record<string, string[]>;
}

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

export function readAssertion(xml: string): SamlAssertion {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SamlError('SAML_DOCTYPE');
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const assertion = doc?.documentElement;
  if (!assertion || assertion.namespaceURI !== NS.assertion || assertion.localName !== 'Assertion') {
    throw new SamlError('SAML_MALFORMED', 'verified content is not an Assertion');
  }
  const subject = childElements(assertion, NS.assertion, 'Subject')[0];
  const nameIdElement = childElements(subject, NS.assertion, 'NameID')[0];
  const nameId = nameIdElement?.textContent ?? '';
  if (!nameId.trim()) throw new SamlError('SAML_NO_SUBJECT', 'no NameID');
  exactIdentifier(nameId, 'NameID');

  const bearer = childElements(subject, NS.assertion, 'SubjectConfirmation').find((c) => c.getAttribute('Method') === BEARER);
  const confirmation = childElements(bearer, NS.assertion, 'SubjectConfirmationData')[0];
  const conditions = childElements(assertion, NS.assertion, 'Conditions')[0];
  const authn = childElements(assertion, NS.assertion, 'AuthnStatement')[0];

  const attributes: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const statement of childElements(assertion, NS.assertion, 'AttributeStatement')) {
    for (const attribute of childElements(statement, NS.assertion, 'Attribute')) {
      const name = attribute.getAttribute('Name');
      if (!name) continue;
      const values = childElements(attribute, NS.assertion, 'AttributeValue').map((v) => v.textContent ?? '');
      attributes[name] = [...(attributes[name] ?? []), ...values.filter((v) => v !== '')];
    }
  }

  return {
    id: assertion.getAttribute('ID') ?? '',
    issuer: childElements(assertion, NS.assertion, 'Issuer')[0]?.textContent?.trim() ?? '',
    nameId,
    nameIdFormat: nameIdElement?.getAttribute('Format') || null,
    nameQualifier: nameIdElement?.getAttribute('NameQualifier') || null,
    spNameQualifier: nameIdElement?.getAttribute('SPNameQualifier') || null,
    recipient: confirmation?.getAttribute('Recipient') || null,
    inResponseTo: confirmation?.getAttribute('InResponseTo') || null,
    subjectNotOnOrAfter: time(confirmation?.getAttribute('NotOnOrAfter')),
    notBefore: time(conditions?.getAttribute('NotBefore')),
    notOnOrAfter: time(conditions?.getAttribute('NotOnOrAfter')),
    audiences: conditions ? elements(conditions, NS.assertion, 'Audience').map((a) => a.textContent?.trim() ?? '') : [],
    sessionIndex: authn?.getAttribute('SessionIndex') || null,
    sessionNotOnOrAfter: time(authn?.getAttribute('SessionNotOnOrAfter')),
    attributes,
  };
}

/**
 * An identifier (NameID, stable id, email) is taken exactly as the IdP signed it or not at all:
 * one with whitespace around it is refused rather than trimmed into someone else's identifier.
 */
export function exactIdentifier(value: string, what: string): string {
  if (value !== value.trim()) throw new SamlError('SAML_IDENTIFIER', `${what} has whitespace around it`);
  return value;
}

function time(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
