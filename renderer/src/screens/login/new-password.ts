import type { FormFailure } from '../../lib/api-errors';

/**
 * What the window can tell about a new password before sending it: each problem with its field,
 * all at once (main checks again, and also refuses common passwords). Null when nothing is wrong.
 */
export function newPasswordFailure(
  form: { newPassword: string; confirm: string; currentPassword?: string },
  minLength: number,
  previous: FormFailure | null,
): FormFailure | null {
  const fields: Record<string, string> = {};
  if (form.currentPassword !== undefined && form.currentPassword === '') fields.currentPassword = 'Enter your current password.';
  const length = [...form.newPassword].length;
  if (length === 0) fields.newPassword = 'Enter a new password.';
  else if (length < minLength) fields.newPassword = `Use at least ${minLength} characters (you typed ${length}).`;
  if (form.confirm !== form.newPassword) fields.confirm = 'The two passwords do not match.';
  const problems = Object.values(fields);
  if (problems.length === 0) return null;
  return {
    attempt: (previous?.attempt ?? 0) + 1,
    message: problems.length === 1 ? problems[0]! : `Check the form: ${problems.join(' ')}`,
    fields,
  };
}
