import { describe, expect, it } from 'vitest';
import { rolesForGroups } from '../../../../main/auth/saml/saml-identity';

const mapping = {
  '6F1C2A9E-3B4D-4E8F-9A01-2B3C4D5E6F70': ['admin'],
  'Portico Analysts': ['analyst', 'viewer'],
  'portico-viewers': ['viewer'],
} as const;

describe('rolesForGroups', () => {
  it('maps Entra object ids (any case) and display names to the union of their roles', () => {
    expect(rolesForGroups(['6f1c2a9e-3b4d-4e8f-9a01-2b3c4d5e6f70'], mapping)).toEqual(['admin']);
    expect(rolesForGroups(['portico analysts', 'portico-viewers', 'unrelated'], mapping)).toEqual(['analyst', 'viewer']);
  });

  it('gives nothing for unmapped groups, prototype names or no groups', () => {
    expect(rolesForGroups(['unrelated', 'constructor', '__proto__', 'toString'], mapping)).toEqual([]);
    expect(rolesForGroups([], mapping)).toEqual([]);
  });
});
