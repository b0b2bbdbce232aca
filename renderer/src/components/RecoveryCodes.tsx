import { useState } from 'react';
import { useFocusOnMount } from '../lib/use-focus-on-mount';

/**
 * Recovery codes, shown this once: the person confirms they kept them before going on (they
 * are the way back without the phone, and for the only administrator the only one).
 */
export function RecoveryCodes({
  codes,
  continueLabel,
  onContinue,
  heading: Heading = 'h3',
}: {
  codes: string[];
  continueLabel: string;
  onContinue: () => void;
  /** The heading's level where it stands (h1 where it is all the screen shows). */
  heading?: 'h1' | 'h3';
}) {
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const [kept, setKept] = useState(false);
  return (
    <section className="recovery-codes" aria-labelledby="recovery-codes-title">
      <Heading id="recovery-codes-title" ref={headingRef} tabIndex={-1}>
        Save your recovery codes
      </Heading>
      <p>
        If you lose your phone, sign in with one of these codes instead of the app’s code. Each works once. Print them or keep
        them in your password manager: Portico will not show them again.
      </p>
      <ol className="recovery-code-list" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <label className="checkbox">
        <input type="checkbox" checked={kept} onChange={(event) => setKept(event.target.checked)} />I have saved these codes
        somewhere safe
      </label>
      <button type="button" className="button button-primary button-block" disabled={!kept} onClick={onContinue}>
        {continueLabel}
      </button>
    </section>
  );
}
