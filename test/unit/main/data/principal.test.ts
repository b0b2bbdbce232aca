import { describe, expect, it } from 'vitest';
import { principalFromSession } from '../../../../main/data/principal';

describe('principalFromSession', () => {
  it('takes the email only from what the IdP vouched for, never from a username that looks like one', () => {
    const unverified = principalFromSession(
      { user: { username: 'victim@corp.test', email: null }, roles: ['viewer'], groups: [] },
      ['data.read'],
    );
    expect(unverified.email).toBeNull();
    expect(unverified.username).toBe('victim@corp.test');
    const verified = principalFromSession(
      { user: { username: 'Pat', email: 'pat@corp.test' }, roles: ['viewer'], groups: ['Sales-EMEA'] },
      ['data.read'],
    );
    expect(verified).toEqual({
      username: 'Pat',
      email: 'pat@corp.test',
      roles: ['viewer'],
      groups: ['Sales-EMEA'],
      permissions: ['data.read'],
    });
  });
});
