/**
 * SAML SP, from a verified response to a Portico identity (SECURITY.md "SAML SP": users keyed by
 * (provider, stable id), never by email; Entra group overage ends in a message telling the admin
 * what to change). Real logins of the Entra-like test users against a real IdP, validated by
 * Portico's SamlServiceProvider, then mapped by identityFromAssertion.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../../main/errors';
import { identityFromAssertion } from '../../../../../main/auth/saml/saml-identity';
import { ENTRA_CLAIMS, ENTRA_GROUPS, ENTRA_OBJECT_IDS } from '../../../../idp/saml/simplesamlphp';
import { SamlError } from '../../../../../main/auth/saml/saml-errors';
import {
  acsPostBody,
  assertionElement,
  attributeElement,
  childElements,
  editAndResign,
  nameIdElement,
  SAML_NS,
  setText,
} from '../../../../idp/saml/tampering';
import { ACS_URL, expectRefusal, PERSISTENT, SP_ENTITY_ID, useSamlKit } from './saml-kit';

const kit = useSamlKit();

async function verifiedLogin(username: string) {
  const login = await kit.login(username);
  const assertion = await login.sp.validateResponse(acsPostBody(login.xml), login.requestId);
  return { assertion, config: login.sp.config, login };
}

function appErrorOf(work: () => unknown): AppError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  return expect.fail('expected an AppError, but an identity was returned');
}

describe('SAML SP identity: positive control', () => {
  it('validates alice and bob clean responses and maps alice to admin, bob to viewer', async () => {
    const alice = await verifiedLogin('alice');
    expect(alice.assertion).toMatchObject({
      issuer: kit.idp.entityId,
      nameId: ENTRA_OBJECT_IDS.alice,
      nameIdFormat: PERSISTENT,
      recipient: ACS_URL,
      audiences: [SP_ENTITY_ID],
      inResponseTo: alice.login.requestId,
    });
    expect(alice.assertion.sessionIndex).toEqual(expect.any(String));
    expect(alice.assertion.attributes).toMatchObject({
      [ENTRA_CLAIMS.objectId]: [ENTRA_OBJECT_IDS.alice],
      [ENTRA_CLAIMS.email]: ['alice@corp.test'],
      [ENTRA_CLAIMS.displayName]: ['Alice Admin'],
      [ENTRA_CLAIMS.groups]: [ENTRA_GROUPS.admins.name, ENTRA_GROUPS.employees.id],
    });
    const aliceIdentity = identityFromAssertion(alice.assertion, alice.config);
    expect(aliceIdentity).toMatchObject({
      providerId: 'corp',
      providerName: 'Corp',
      subject: ENTRA_OBJECT_IDS.alice,
      email: 'alice@corp.test',
      displayName: 'Alice Admin',
      roles: ['admin'],
    });

    const bob = await verifiedLogin('bob');
    expect(bob.assertion.nameId).toBe(ENTRA_OBJECT_IDS.bob);
    expect(bob.assertion.attributes[ENTRA_CLAIMS.groups]).toEqual([ENTRA_GROUPS.viewers.name, ENTRA_GROUPS.employees.id]);
    const bobIdentity = identityFromAssertion(bob.assertion, bob.config);
    expect(bobIdentity).toMatchObject({ subject: ENTRA_OBJECT_IDS.bob, email: 'bob@corp.test', roles: ['viewer'] });
  });
});

describe('SAML SP identity: stable id, roles, overage', () => {
  it('keys the user by (provider, objectidentifier), never by email', async () => {
    const { assertion, config } = await verifiedLogin('alice');
    const identity = identityFromAssertion(assertion, config);
    expect(identity.providerId).toBe(config.id);
    expect(identity.subject).toBe(ENTRA_OBJECT_IDS.alice);
    expect(identity.subject).not.toBe(identity.email);
    expect(identity.email).toBe('alice@corp.test');

    // The same person after an email rename at the IdP is still the same user; another person who
    // is later given alice's old address is not.
    const renamed = { ...assertion, attributes: { ...assertion.attributes, [ENTRA_CLAIMS.email]: ['alice.new@corp.test'] } };
    expect(identityFromAssertion(renamed, config).subject).toBe(ENTRA_OBJECT_IDS.alice);
    const bob = await verifiedLogin('bob');
    const bobWithAlicesEmail = {
      ...bob.assertion,
      attributes: { ...bob.assertion.attributes, [ENTRA_CLAIMS.email]: ['alice@corp.test'] },
    };
    expect(identityFromAssertion(bobWithAlicesEmail, config).subject).toBe(ENTRA_OBJECT_IDS.bob);
  });

  it('olga (Entra group overage: groups.link only) gets SSO_GROUP_OVERAGE telling the admin what to change', async () => {
    const { assertion, config } = await verifiedLogin('olga');
    expect(assertion.attributes[ENTRA_CLAIMS.groups]).toBeUndefined();
    expect(assertion.attributes[ENTRA_CLAIMS.groupsLink]?.[0]).toMatch(/^https:\/\/graph\.windows\.net\//);
    const error = appErrorOf(() => identityFromAssertion(assertion, config));
    expect(error.code).toBe('SSO_GROUP_OVERAGE');
    expect(error.message).toContain('"Groups assigned to the application"');
    expect(error.message).toContain('Corp');
  });

  it('a user in no mapped group gets SSO_NO_ROLES, not a user without roles', async () => {
    const { assertion, config } = await verifiedLogin('mallory');
    expect(assertion.attributes[ENTRA_CLAIMS.groups]).toEqual([ENTRA_GROUPS.employees.id]);
    const error = appErrorOf(() => identityFromAssertion(assertion, config));
    expect(error.code).toBe('SSO_NO_ROLES');
    expect(error.message).toContain('Mallory');
  });

  it('maps group object ids case-insensitively (Entra sends GUIDs)', async () => {
    const { assertion } = await verifiedLogin('bob');
    const config = kit.config({ groupRoles: { [ENTRA_GROUPS.employees.id.toUpperCase()]: ['analyst'] } });
    expect(identityFromAssertion(assertion, config).roles).toEqual(['analyst']);
  });
});

describe('SAML SP identity: identifiers are taken exactly as signed, never trimmed', () => {
  /** alice's response, with `edit` applied and re-signed by the IdP (so only the value is at issue). */
  async function aliceWith(edit: (assertion: Element) => void) {
    const login = await kit.login('alice');
    const xml = editAndResign(login.xml, kit.idpKey, (doc) => edit(assertionElement(doc)));
    return { login, body: acsPostBody(xml) };
  }
  const setFirstValue = (assertion: Element, claim: string, value: string) =>
    setText(childElements(attributeElement(assertion, claim), SAML_NS.assertion, 'AttributeValue')[0]!, value);

  it.each([
    ['spaces', ` ${ENTRA_OBJECT_IDS.alice} `],
    ['a newline', `${ENTRA_OBJECT_IDS.alice}\n`],
    ['a no-break space', `\u00a0${ENTRA_OBJECT_IDS.alice}`],
  ])('refuses a NameID with %s around it (SAML_IDENTIFIER)', async (_what, padded) => {
    const { login, body } = await aliceWith((assertion) => setText(nameIdElement(assertion), padded));
    const error = await expectRefusal(login.sp.validateResponse(body, login.requestId), 'SAML_IDENTIFIER');
    expect(error.detail).toMatch(/NameID/);
  });

  it.each([
    ['the stable user id (objectidentifier)', ENTRA_CLAIMS.objectId, ` ${ENTRA_OBJECT_IDS.alice} `],
    ['the email', ENTRA_CLAIMS.email, 'alice@corp.test '],
  ])('refuses %s with whitespace around it (SAML_IDENTIFIER)', async (_what, claim, padded) => {
    const { login, body } = await aliceWith((assertion) => setFirstValue(assertion, claim, padded));
    const assertion = await login.sp.validateResponse(body, login.requestId);
    // Read as sent, never trimmed into alice's own value...
    expect(assertion.attributes[claim]).toEqual([padded]);
    // ...and refused as an identity.
    let refused: unknown;
    try {
      identityFromAssertion(assertion, login.sp.config);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(SamlError);
    expect((refused as SamlError).code).toBe('SAML_IDENTIFIER');
  });

  it('control: a display name with spaces is only tidied for display, and alice is still alice', async () => {
    const { login, body } = await aliceWith((assertion) => setFirstValue(assertion, ENTRA_CLAIMS.displayName, '  Alice Admin '));
    const identity = identityFromAssertion(await login.sp.validateResponse(body, login.requestId), login.sp.config);
    expect(identity).toMatchObject({ subject: ENTRA_OBJECT_IDS.alice, displayName: 'Alice Admin', roles: ['admin'] });
  });
});
