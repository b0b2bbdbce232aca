/**
 * SAML SP, conditions of a validly signed response (SECURITY.md "SAML SP"): Audience, Recipient,
 * Destination, Issuer, NotBefore/NotOnOrAfter, InResponseTo (unknown, old, expired, missing),
 * replay and a non-Success status. Each case edits a real IdP response and RE-SIGNS it with the
 * IdP's own key, so the signatures are valid and only the check under test can refuse it (the
 * first test shows that re-signing alone changes nothing).
 */
import { describe, expect, it } from 'vitest';
import { LOGIN_ATTEMPT_MS } from '../../../../../main/auth/saml/saml-service-provider';
import { ENTRA_OBJECT_IDS } from '../../../../idp/saml/simplesamlphp';
import {
  acsPostBody,
  assertionElement,
  childElement,
  conditionsElement,
  descendant,
  descendants,
  editAndResign,
  editXml,
  parseXml,
  resignAssertionAndResponse,
  responseElement,
  SAML_NS,
  samlTime,
  setText,
  signatureVerifies,
  STATUS,
  subjectConfirmationData,
} from '../../../../idp/saml/tampering';
import { FakeClock } from '../../../helpers';
import { ACS_URL, expectRefusal, SP_ENTITY_ID, useSamlKit, type Login } from './saml-kit';

const kit = useSamlKit();
const MINUTE = 60_000;

/** `login`'s response edited by `edit`, then re-signed (assertion and response) with the IdP's key. */
function tampered(login: Login, edit: (doc: Document) => void): string {
  const xml = editAndResign(login.xml, kit.idpKey, edit);
  const doc = parseXml(xml);
  expect(signatureVerifies(xml, assertionElement(doc).getAttribute('ID')!, kit.idp.certPem)).toBe(true);
  expect(signatureVerifies(xml, responseElement(doc).getAttribute('ID')!, kit.idp.certPem)).toBe(true);
  return xml;
}

function validate(login: Login, xml: string) {
  return login.sp.validateResponse(acsPostBody(xml), login.requestId);
}

/** Sets every time an assertion carries (validity and subject confirmation) relative to now. */
function setTimes(doc: Document, times: { notBefore?: number; notOnOrAfter?: number }): void {
  const assertion = assertionElement(doc);
  const conditions = conditionsElement(assertion);
  const confirmation = subjectConfirmationData(assertion);
  if (times.notBefore !== undefined) conditions.setAttribute('NotBefore', samlTime(times.notBefore));
  if (times.notOnOrAfter !== undefined) {
    conditions.setAttribute('NotOnOrAfter', samlTime(times.notOnOrAfter));
    confirmation.setAttribute('NotOnOrAfter', samlTime(times.notOnOrAfter));
  }
}

describe('SAML SP conditions: controls', () => {
  it('accepts an untouched response, and the same response re-signed with the IdP key', async () => {
    const untouched = await kit.login('alice');
    const accepted = await validate(untouched, untouched.xml);
    expect(accepted.nameId).toBe(ENTRA_OBJECT_IDS.alice);
    expect(accepted.issuer).toBe(kit.idp.entityId);
    expect(accepted.audiences).toEqual([SP_ENTITY_ID]);
    expect(accepted.recipient).toBe(ACS_URL);
    expect(accepted.inResponseTo).toBe(untouched.requestId);

    const login = await kit.login('alice');
    const resigned = tampered(login, () => undefined);
    expect(resigned).not.toBe(login.xml);
    await expect(validate(login, resigned)).resolves.toMatchObject({ nameId: ENTRA_OBJECT_IDS.alice });
  });
});

describe('SAML SP conditions: addressed to someone else', () => {
  it('refuses another Audience (SAML_AUDIENCE)', async () => {
    const login = await kit.login('alice');
    const xml = tampered(login, (doc) => setText(descendant(doc, SAML_NS.assertion, 'Audience'), 'https://other.test/sp'));
    await expectRefusal(validate(login, xml), 'SAML_AUDIENCE');
  });

  it('refuses another Recipient in the bearer SubjectConfirmationData (SAML_RECIPIENT)', async () => {
    const login = await kit.login('alice');
    const xml = tampered(login, (doc) =>
      subjectConfirmationData(assertionElement(doc)).setAttribute('Recipient', 'https://other.test/saml/acs'),
    );
    await expectRefusal(validate(login, xml), 'SAML_RECIPIENT');
  });

  it('refuses a missing Recipient (SAML_RECIPIENT)', async () => {
    const login = await kit.login('alice');
    const xml = tampered(login, (doc) => subjectConfirmationData(assertionElement(doc)).removeAttribute('Recipient'));
    await expectRefusal(validate(login, xml), 'SAML_RECIPIENT');
  });

  it('refuses another Destination on the Response (SAML_DESTINATION)', async () => {
    const login = await kit.login('alice');
    const xml = tampered(login, (doc) => responseElement(doc).setAttribute('Destination', 'https://other.test/saml/acs'));
    await expectRefusal(validate(login, xml), 'SAML_DESTINATION');
  });

  it('refuses a Destination that only adds a query string to the ACS URL (SAML_DESTINATION)', async () => {
    const login = await kit.login('alice');
    const xml = tampered(login, (doc) => responseElement(doc).setAttribute('Destination', `${ACS_URL}?next=evil`));
    await expectRefusal(validate(login, xml), 'SAML_DESTINATION');
  });

  it('refuses a signed Response without Destination (SAML_DESTINATION)', async () => {
    const login = await kit.login('alice');
    const xml = tampered(login, (doc) => responseElement(doc).removeAttribute('Destination'));
    await expectRefusal(validate(login, xml), 'SAML_DESTINATION');
  });

  it('refuses another Issuer, signed with the trusted key (SAML_ISSUER)', async () => {
    const login = await kit.login('alice');
    const xml = tampered(login, (doc) => {
      for (const issuer of descendants(doc, SAML_NS.assertion, 'Issuer')) setText(issuer, 'https://other-idp.test/');
    });
    await expectRefusal(validate(login, xml), 'SAML_ISSUER');
  });

  it('refuses another Issuer on the Response only (SAML_ISSUER)', async () => {
    const login = await kit.login('alice');
    const xml = tampered(login, (doc) =>
      setText(childElement(responseElement(doc), SAML_NS.assertion, 'Issuer'), 'https://other-idp.test/'),
    );
    await expectRefusal(validate(login, xml), 'SAML_ISSUER');
  });
});

describe('SAML SP conditions: validity period', () => {
  it('refuses an expired assertion (NotOnOrAfter in the past, SAML_EXPIRED)', async () => {
    const login = await kit.login('alice');
    const now = Date.now();
    const xml = tampered(login, (doc) => setTimes(doc, { notBefore: now - 20 * MINUTE, notOnOrAfter: now - 10 * MINUTE }));
    await expectRefusal(validate(login, xml), 'SAML_EXPIRED');
  });

  it('refuses an assertion whose Conditions alone have expired (SAML_EXPIRED)', async () => {
    const login = await kit.login('alice');
    const xml = tampered(login, (doc) =>
      conditionsElement(assertionElement(doc)).setAttribute('NotOnOrAfter', samlTime(Date.now() - 10 * MINUTE)),
    );
    await expectRefusal(validate(login, xml), 'SAML_EXPIRED');
  });

  it('refuses a sign-in into an IdP session that has already ended (SessionNotOnOrAfter in the past, SAML_EXPIRED)', async () => {
    const login = await kit.login('alice');
    const authn = (doc: Document) => childElement(assertionElement(doc), SAML_NS.assertion, 'AuthnStatement');
    expect(authn(parseXml(login.xml)).getAttribute('SessionNotOnOrAfter')).toBeTruthy();
    // A minute ago: within the 60 s clock skew that the assertion's own times get, and still refused.
    const xml = tampered(login, (doc) => authn(doc).setAttribute('SessionNotOnOrAfter', samlTime(Date.now() - MINUTE)));
    const error = await expectRefusal(validate(login, xml), 'SAML_EXPIRED');
    expect(error.detail).toMatch(/SessionNotOnOrAfter/);
  });

  it('control: a SessionNotOnOrAfter ahead is accepted and kept as the end of the IdP session', async () => {
    const login = await kit.login('alice');
    const ends = Date.now() + 30 * MINUTE;
    const xml = tampered(login, (doc) =>
      childElement(assertionElement(doc), SAML_NS.assertion, 'AuthnStatement').setAttribute(
        'SessionNotOnOrAfter',
        samlTime(ends),
      ),
    );
    await expect(validate(login, xml)).resolves.toMatchObject({ sessionNotOnOrAfter: Math.floor(ends / 1000) * 1000 });
  });

  it('refuses an assertion not valid before an hour from now (SAML_NOT_YET_VALID)', async () => {
    const login = await kit.login('alice');
    const xml = tampered(login, (doc) => setTimes(doc, { notBefore: Date.now() + 60 * MINUTE }));
    await expectRefusal(validate(login, xml), 'SAML_NOT_YET_VALID');
  });

  it('accepts NotBefore 30 s ahead within the 60 s clock skew, and refuses it with no skew allowed', async () => {
    const within = await kit.login('alice');
    expect(within.sp.config.clockSkewSeconds).toBe(60);
    const ahead = Date.now() + 30_000;
    const xml = tampered(within, (doc) => setTimes(doc, { notBefore: ahead }));
    const accepted = await validate(within, xml);
    expect(accepted.notBefore).toBe(Math.floor(ahead / 1000) * 1000);

    const { sp, clock } = kit.serviceProvider({ clockSkewSeconds: 0 });
    const strict = await kit.login('alice', { sp, clock });
    const strictXml = tampered(strict, (doc) => setTimes(doc, { notBefore: Date.now() + 30_000 }));
    await expectRefusal(validate(strict, strictXml), 'SAML_NOT_YET_VALID');
  });

  it('checks times on the injected clock too: a clock 10 minutes ahead finds a fresh response expired', async () => {
    // The attempt starts on that clock as well, so only the assertion's times can refuse it.
    const { sp, clock } = kit.serviceProvider({}, new FakeClock(Date.now() + 10 * MINUTE));
    const login = await kit.login('alice', { sp, clock });
    await expectRefusal(validate(login, login.xml), 'SAML_EXPIRED');
  });

  it('checks times on the injected clock too: a clock an hour behind finds a fresh response not yet valid', async () => {
    const { sp, clock } = kit.serviceProvider({}, new FakeClock(Date.now() - 60 * MINUTE));
    const login = await kit.login('alice', { sp, clock });
    await expectRefusal(validate(login, login.xml), 'SAML_NOT_YET_VALID');
  });
});

describe('SAML SP conditions: InResponseTo and replay', () => {
  it('refuses the same response POSTed twice (second time: SAML_IN_RESPONSE_TO, the attempt is used up)', async () => {
    const login = await kit.login('alice');
    await expect(validate(login, login.xml)).resolves.toMatchObject({ nameId: ENTRA_OBJECT_IDS.alice });
    await expectRefusal(validate(login, login.xml), 'SAML_IN_RESPONSE_TO');
  });

  it('refuses an already accepted assertion ID in a response to a new attempt (SAML_REPLAYED)', async () => {
    // Reaching the replay cache needs a valid InResponseTo, so the second response is re-signed by
    // the IdP key with the first one's assertion ID (an IdP repeating IDs, or a signing-key leak).
    const first = await kit.login('alice');
    const accepted = await validate(first, first.xml);
    const second = await kit.login('alice', first);
    const xml = resignAssertionAndResponse(
      editXml(second.xml, (doc) => assertionElement(doc).setAttribute('ID', accepted.id)),
      kit.idpKey,
    );
    expect(accepted.id).not.toBe(assertionElement(parseXml(second.xml)).getAttribute('ID'));
    await expectRefusal(validate(second, xml), 'SAML_REPLAYED');
  });

  it('refuses an unsolicited response (no InResponseTo anywhere, SAML_IN_RESPONSE_TO)', async () => {
    const login = await kit.login('alice');
    const xml = tampered(login, (doc) => {
      responseElement(doc).removeAttribute('InResponseTo');
      subjectConfirmationData(assertionElement(doc)).removeAttribute('InResponseTo');
    });
    await expectRefusal(validate(login, xml), 'SAML_IN_RESPONSE_TO');
  });

  it('refuses the response to an older attempt, checked against the current one (SAML_IN_RESPONSE_TO)', async () => {
    const older = await kit.login('alice');
    const current = await older.sp.createLoginRequest();
    expect(current.requestId).not.toBe(older.requestId);
    await expectRefusal(older.sp.validateResponse(acsPostBody(older.xml), current.requestId), 'SAML_IN_RESPONSE_TO');
  });

  it('refuses a response to a request this SP never made, e.g. before a restart (SAML_IN_RESPONSE_TO)', async () => {
    const login = await kit.login('alice');
    const { sp: restarted } = kit.serviceProvider();
    await expectRefusal(restarted.validateResponse(acsPostBody(login.xml), login.requestId), 'SAML_IN_RESPONSE_TO');
  });

  it('refuses a response to an attempt older than the login time limit (SAML_IN_RESPONSE_TO)', async () => {
    const login = await kit.login('alice');
    login.clock.advance(LOGIN_ATTEMPT_MS + MINUTE);
    await expectRefusal(validate(login, login.xml), 'SAML_IN_RESPONSE_TO');
  });

  it('refuses a subject confirmation answering another request than the Response (SAML_IN_RESPONSE_TO)', async () => {
    const login = await kit.login('alice');
    const xml = tampered(login, (doc) =>
      subjectConfirmationData(assertionElement(doc)).setAttribute('InResponseTo', '_0123456789abcdef0123456789abcdef01234567'),
    );
    await expectRefusal(validate(login, xml), 'SAML_IN_RESPONSE_TO');
  });
});

describe('SAML SP conditions: status', () => {
  it('refuses a non-Success status that still carries a signed assertion (SAML_STATUS)', async () => {
    const login = await kit.login('alice');
    const xml = tampered(login, (doc) => {
      const code = childElement(childElement(responseElement(doc), SAML_NS.protocol, 'Status'), SAML_NS.protocol, 'StatusCode');
      code.setAttribute('Value', STATUS.responder);
      const nested = doc.createElementNS(SAML_NS.protocol, 'samlp:StatusCode');
      nested.setAttribute('Value', STATUS.authnFailed);
      code.appendChild(nested);
    });
    expect(descendants(parseXml(xml), SAML_NS.assertion, 'Assertion')).toHaveLength(1);
    const error = await expectRefusal(validate(login, xml), 'SAML_STATUS');
    expect(error.detail).toContain('Responder');
  });
});
