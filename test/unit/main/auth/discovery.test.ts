import { describe, expect, it } from 'vitest';
import { discoverProvider } from '../../../../main/auth/discovery';

const providers = [
  { id: 'contoso', emailDomains: ['contoso.com', 'contoso.co.uk'] },
  { id: 'fabrikam', emailDomains: ['Fabrikam.com'] },
];

describe('discoverProvider', () => {
  it.each([
    ['ann@contoso.com', 'contoso'],
    ['  Ann@CONTOSO.co.uk ', 'contoso'],
    ['bob@fabrikam.com', 'fabrikam'],
    ['bob@fabrikam.com.', 'fabrikam'],
    ['"odd@name"@contoso.com', 'contoso'],
  ])('%s -> %s', (email, id) => {
    expect(discoverProvider(email, providers)?.id).toBe(id);
  });

  it.each([
    'ann@sub.contoso.com', // subdomains are not the company's unless listed
    'ann@contoso.com.evil.test',
    'ann@evilcontoso.com',
    'contoso.com',
    '@contoso.com',
    'ann@',
    '',
  ])('finds nothing for %j', (email) => {
    expect(discoverProvider(email, providers)).toBeNull();
  });
});
