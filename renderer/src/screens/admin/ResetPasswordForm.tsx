import { useState } from 'react';
import { FormField } from '../../components/FormField';
import { fieldProblem } from '../../lib/api-errors';
import { InlineUserForm, type InlineUserFormProps } from './InlineUserForm';

export function ResetPasswordForm({ minPasswordLength, ...form }: InlineUserFormProps & { minPasswordLength: number }) {
  const [password, setPassword] = useState('');
  const { id, user } = form;
  return (
    <InlineUserForm
      {...form}
      submitLabel="Save password"
      call={() => window.portico.resetUserPassword({ userId: user.id, password })}
    >
      {(failure, alertId) => (
        <FormField
          id={`${id}-password`}
          label={`New password for ${user.username}`}
          type="password"
          autoFocus
          autoComplete="new-password"
          hint={`At least ${minPasswordLength} characters. Temporary: they choose their own at their next sign-in.`}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          problem={fieldProblem(failure, 'password', alertId)}
        />
      )}
    </InlineUserForm>
  );
}
