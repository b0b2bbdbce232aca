import { InlineUserForm, type InlineUserFormProps } from './InlineUserForm';

/** Asks before removing someone's two-step verification (a lost phone): they then sign in with the password alone. */
export function ResetSecondFactorForm(form: InlineUserFormProps) {
  const { user } = form;
  return (
    <InlineUserForm
      {...form}
      label={`Reset two-step verification for ${user.username}`}
      submitLabel="Reset two-step verification"
      call={() => window.portico.resetUserSecondFactor({ userId: user.id })}
    >
      {() => (
        <p className="inline-form-text">
          {`${user.displayName} lost their authenticator app? Their next sign-in then needs the password only; they set up a new app from Account, or at that sign-in if your organization requires it.`}
        </p>
      )}
    </InlineUserForm>
  );
}
