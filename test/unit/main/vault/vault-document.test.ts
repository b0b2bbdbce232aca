import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { draftOf, emptyVaultDocument, serializeDocument, vaultDocument } from '../../../../main/vault/vault-document';

function sampleDocument() {
  const doc = emptyVaultDocument();
  for (let i = 0; i < 3; i++) {
    const id = randomUUID();
    doc.users[id] = {
      id,
      username: `user"${i}\\`,
      displayName: `Ünïcode ${i} 🔑`,
      roles: ['viewer'],
      groups: ['Sales-EMEA'],
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$abc$def',
      disabled: i === 1,
      createdAt: i,
      updatedAt: i,
      lastSignInAt: i === 2 ? null : i,
    };
  }
  doc.throttle['user:x'] = { failures: 2, lastFailureAt: 5, blockedUntil: 9, locked: false };
  doc.secrets['token"name'] = 'value with "quotes"\n';
  return doc;
}

describe('serializeDocument', () => {
  it('produces exactly JSON.stringify of the document', () => {
    const doc = sampleDocument();
    expect(serializeDocument(doc)).toBe(JSON.stringify(doc));
  });

  it('stays exact after an update replaces, adds and removes records (cache keyed by identity)', () => {
    const doc = sampleDocument();
    serializeDocument(doc); // warm the cache
    const draft = draftOf(doc);
    const [first, second] = Object.keys(draft.users);
    draft.users[first!] = { ...draft.users[first!]!, disabled: true, displayName: 'Changed' };
    delete draft.users[second!];
    draft.secrets.extra = 'x';
    expect(serializeDocument(draft)).toBe(JSON.stringify(draft));
    expect(vaultDocument.parse(JSON.parse(serializeDocument(draft)))).toEqual(draft);
  });
});

describe('draftOf', () => {
  it('copies the maps, so changing the draft leaves the original untouched', () => {
    const doc = sampleDocument();
    const draft = draftOf(doc);
    draft.secrets.added = '1';
    delete draft.throttle['user:x'];
    expect(doc.secrets.added).toBeUndefined();
    expect(doc.throttle['user:x']).toBeDefined();
  });
});
