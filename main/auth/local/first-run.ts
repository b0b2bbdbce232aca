/**
 * Whether Portico is in first-run setup: the one moment anyone at the keyboard may create an
 * administrator. Decided by this one function, at start (createApp's status) and again
 * inside the vault write that creates the account, so the screen and the IPC handler can
 * never disagree, and two windows cannot both pass.
 *
 * With single sign-on configured, administrators come from the IdP's groups: a local
 * first-run administrator would let whoever reaches a fresh install first (or a script in a
 * signed-out window) make themselves one. IT may still allow a local bootstrap
 * administrator explicitly (`localAccounts.allowBootstrapAdmin`), e.g. while the group
 * mapping is being set up.
 */
export interface FirstRunPolicy {
  localAccountsEnabled: boolean;
  /** Number of SAML and OIDC providers configured. */
  providerCount: number;
  allowBootstrapAdmin: boolean;
}

/** True when this configuration ever offers a local first-run administrator. */
export function localSetupAllowed(policy: FirstRunPolicy): boolean {
  if (!policy.localAccountsEnabled) return false;
  return policy.providerCount === 0 || policy.allowBootstrapAdmin;
}

/** True while first-run setup is open: allowed by configuration and no local account exists yet. */
export function isFirstRun(policy: FirstRunPolicy, localUserCount: number): boolean {
  return localSetupAllowed(policy) && localUserCount === 0;
}

export function firstRunPolicy(config: {
  localAccounts: { enabled: boolean; allowBootstrapAdmin: boolean };
  providers: { saml: readonly unknown[]; oidc: readonly unknown[] };
}): FirstRunPolicy {
  return {
    localAccountsEnabled: config.localAccounts.enabled,
    providerCount: config.providers.saml.length + config.providers.oidc.length,
    allowBootstrapAdmin: config.localAccounts.allowBootstrapAdmin,
  };
}
