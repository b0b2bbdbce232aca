import { useEffect, useRef, useState } from 'react';
import type { ProviderSummary } from '../../../../preload/contract';
import { AlertMessage } from '../../components/AlertMessage';
import { isSessionLost } from '../../lib/api-errors';
import { createNotice, type Notice } from '../../lib/notice';
import { useFocusOnMount } from '../../lib/use-focus-on-mount';

interface SsoProvidersScreenProps {
  providers: ProviderSummary[];
  onSessionEnd: (message: string) => void;
}

const PROTOCOL_NAMES: Record<ProviderSummary['protocol'], string> = { saml: 'SAML 2.0', oidc: 'OpenID Connect' };

/** For holders of `admin.users`: the configured identity providers and Portico's SP metadata for each. */
export function SsoProvidersScreen({ providers, onSessionEnd }: SsoProvidersScreenProps) {
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  return (
    <main className="page">
      <h2 ref={headingRef} tabIndex={-1} className="page-title">
        Single sign-on
      </h2>
      <p className="lead">
        Employees sign in to Portico through these identity providers. Each provider needs Portico&apos;s service provider (SP)
        metadata.
      </p>
      {/* SP metadata is a SAML notion: OIDC providers are set up with the client id and redirect URI (README). */}
      {providers
        .filter((provider) => provider.protocol === 'saml')
        .map((provider) => (
          <ProviderPanel key={provider.id} provider={provider} onSessionEnd={onSessionEnd} />
        ))}
    </main>
  );
}

function ProviderPanel({ provider, onSessionEnd }: { provider: ProviderSummary; onSessionEnd: (message: string) => void }) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const [metadata, setMetadata] = useState<{ xml: string; loads: number } | null>(null);
  const [loading, setLoading] = useState(false);
  const [failure, setFailure] = useState<Notice | null>(null);
  const baseId = `sso-provider-${provider.id}`;
  const loads = metadata?.loads ?? 0;

  // Each time the metadata arrives, focus it: ready to select and copy.
  useEffect(() => {
    if (loads > 0) textarea.current?.focus();
  }, [loads]);

  async function show() {
    if (loading) return;
    setLoading(true);
    setFailure(null);
    const result = await window.portico.getSpMetadata({ providerId: provider.id });
    setLoading(false);
    if (result.ok) {
      setMetadata((current) => ({ xml: result.value, loads: (current?.loads ?? 0) + 1 }));
      return;
    }
    if (isSessionLost(result)) {
      onSessionEnd(result.message);
      return;
    }
    setFailure(createNotice(result.message));
  }

  return (
    <section aria-labelledby={`${baseId}-heading`} className="panel sso-provider">
      <h3 id={`${baseId}-heading`} className="panel-title">
        {provider.displayName}
      </h3>
      <p className="muted sso-provider-meta">
        {PROTOCOL_NAMES[provider.protocol]} · Provider ID <code>{provider.id}</code>
      </p>
      {failure ? <AlertMessage key={failure.id} message={failure.text} /> : null}
      <button type="button" className="button button-secondary" aria-disabled={loading || undefined} onClick={() => void show()}>
        {`Show SP metadata for ${provider.displayName}`}
      </button>
      {metadata ? (
        <div className="field metadata-field">
          <label htmlFor={`${baseId}-metadata`}>{`SP metadata for ${provider.displayName}`}</label>
          <p id={`${baseId}-metadata-hint`} className="field-hint">
            Paste this into your identity provider (Microsoft Entra ID: Enterprise application → Single sign-on → Upload metadata
            file), or copy the Identifier and Reply URL from it.
          </p>
          <textarea
            ref={textarea}
            id={`${baseId}-metadata`}
            className="metadata"
            readOnly
            rows={12}
            spellCheck={false}
            aria-describedby={`${baseId}-metadata-hint`}
            value={metadata.xml}
          />
        </div>
      ) : null}
    </section>
  );
}
