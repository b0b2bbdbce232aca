/**
 * The provider's own HTML: login form, sign-out confirmation, signed-out and error pages. No
 * external resources (oidc-provider's built-in pages load Google Fonts, which would make every page
 * wait on the network here), and stable selectors for tests.
 */

export const LOGIN_FIELD = 'login';
export const PASSWORD_FIELD = 'password';
export const SIGN_IN_LABEL = 'Sign in';
export const WRONG_PASSWORD_TEXT = 'Invalid username or password.';
export const SIGN_OUT_LABEL = 'Yes, sign me out';

export function htmlEscape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${htmlEscape(title)}</title>
<style>body{font-family:sans-serif;margin:2em auto;max-width:24em}label,input,button{display:block;margin:.4em 0}.error{color:#b00020}</style>
</head>
<body>${body}</body>
</html>`;
}

export function loginPage(options: {
  issuer: string;
  action: string;
  cancelUrl: string;
  login?: string;
  error?: boolean;
}): string {
  const error = options.error ? `<p class="error" role="alert">${WRONG_PASSWORD_TEXT}</p>` : '';
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p>to ${htmlEscape(options.issuer)}</p>
${error}
<form method="post" action="${htmlEscape(options.action)}" autocomplete="off">
  <label>Username <input type="text" name="${LOGIN_FIELD}" value="${htmlEscape(options.login ?? '')}" autofocus required></label>
  <label>Password <input type="password" name="${PASSWORD_FIELD}" required></label>
  <button type="submit">${SIGN_IN_LABEL}</button>
</form>
<p><a href="${htmlEscape(options.cancelUrl)}">Cancel</a></p>`,
  );
}

/**
 * `form` is oidc-provider's hidden form (id `op.logoutForm`, with its xsrf token). The "yes" button
 * adds `logout=yes`, which ends the whole IdP session rather than only this client's part of it.
 * With `autoSubmit` a script presses it at once, like IdPs that skip the confirmation when the RP
 * sent a valid id_token_hint.
 */
export function logoutPage(form: string, autoSubmit: boolean): string {
  const script = autoSubmit ? `<script>document.querySelector('button[name="logout"]').click();</script>` : '';
  return page(
    'Sign out',
    `<h1>Do you want to sign out?</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">${SIGN_OUT_LABEL}</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>
${script}`,
  );
}

export function signedOutPage(): string {
  return page('Signed out', '<h1>Signed out</h1><p>You have been signed out.</p>');
}

export function errorPage(out: Record<string, unknown>): string {
  const rows = Object.entries(out)
    .map(([key, value]) => `<p><strong>${htmlEscape(key)}</strong>: <span>${htmlEscape(String(value))}</span></p>`)
    .join('\n');
  return page('Error', `<h1>Something went wrong</h1>\n${rows}`);
}
