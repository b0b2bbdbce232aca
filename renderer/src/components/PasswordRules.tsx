/**
 * The rules for a new password, shown before the first submit (main checks them again, and
 * refuses a common password, which the window cannot know). The length rule shows when it is met.
 */
export function PasswordRules({ id, minLength, password }: { id: string; minLength: number; password: string }) {
  const longEnough = [...password].length >= minLength;
  return (
    <div id={id} className="password-rules">
      <p className="password-rules-title">Your new password needs:</p>
      <ul>
        <li className={longEnough ? 'rule-met' : undefined}>
          {`At least ${minLength} characters`}
          {longEnough ? <span className="visually-hidden"> (done)</span> : null}
        </li>
        <li>Not a common password, nor one of those with a few digits added</li>
        <li>Not your username, nor your current password</li>
      </ul>
      <p className="password-rules-tip">A few unrelated words make a good password: there is no other rule.</p>
    </div>
  );
}
