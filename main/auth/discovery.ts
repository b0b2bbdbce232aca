/** Email domain -> the provider that signs that company in. Pure. */
export interface DiscoverableProvider {
  id: string;
  emailDomains: readonly string[];
}

export function discoverProvider<P extends DiscoverableProvider>(email: string, providers: readonly P[]): P | null {
  const at = email.trim().lastIndexOf('@');
  if (at < 1) return null;
  const domain = email
    .trim()
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, '');
  if (!domain) return null;
  return providers.find((p) => p.emailDomains.some((d) => d.toLowerCase() === domain)) ?? null;
}
