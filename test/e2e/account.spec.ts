/**
 * Accounts as people use them (issue 15 part A): two-step verification with an authenticator app
 * (codes computed here from the key the screen shows, as the app would), recovery codes, changing
 * one's password, a temporary password from an administrator, lockout countdowns, and the negative
 * cases: a wrong current password, a reused recovery code, a TOTP code replayed in its window,
 * guessing at the code, and a pending sign-in calling data channels.
 */
import { decodeQR } from '@paulmillr/qr/decode.js';
import { Secret, TOTP } from 'otpauth';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { seriousA11yViolations } from './support/axe';
import { ADMIN, createFirstAdmin, signIn, signOut } from './support/local-flows';

const VIEWER = { username: 'vic', displayName: 'Vic Viewer', password: 'a viewer with a long passphrase' };

/** What an authenticator app shows for `secret`, `steps` periods from now. */
function appCode(secret: string, steps = 0): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });
}

async function openAccount(page: Page) {
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Account' })).toBeVisible();
}

/** The QR code as drawn on screen, rasterised by Chromium and decoded here: the text it carries. */
async function readQrCode(page: Page): Promise<string> {
  const image = await page.getByRole('img', { name: /QR code/ }).evaluate(async (svg) => {
    const size = 400;
    const markup = new XMLSerializer().serializeToString(svg);
    const img = new Image(size, size);
    img.src = `data:image/svg+xml;base64,${btoa(markup)}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    const context = canvas.getContext('2d')!;
    context.drawImage(img, 0, 0, size, size);
    return { width: size, height: size, data: Array.from(context.getImageData(0, 0, size, size).data) };
  });
  return decodeQR({ width: image.width, height: image.height, data: new Uint8Array(image.data) });
}

/** Sets up two-step verification from the Account page; the key as shown, and the recovery codes. */
async function setUpTwoStep(page: Page): Promise<{ secret: string; codes: string[] }> {
  await openAccount(page);
  await page.getByRole('button', { name: 'Set up two-step verification' }).click();
  const uri = await readQrCode(page);
  await page.getByText('Can’t scan it? Type this key instead').click();
  const secret = (await page.locator('.setup-key-text').innerText()).replace(/\s/g, '');
  expect(uri).toBe(`otpauth://totp/Portico:${ADMIN.username}?issuer=Portico&secret=${secret}&algorithm=SHA1&digits=6&period=30`);
  await page.getByLabel('Enter the 6-digit code the app shows for Portico').fill(appCode(secret));
  await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
  await expect(page.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();
  const codes = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allInnerTexts();
  expect(codes).toHaveLength(10);
  await expect(page.getByRole('button', { name: 'Done' })).toBeDisabled();
  await page.getByLabel('I have saved these codes somewhere safe').check();
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('status')).toContainText('Two-step verification is on.');
  await expect(page.getByText('10 of 10 recovery codes left.')).toBeVisible();
  return { secret, codes };
}

async function enterCode(page: Page, code: string) {
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.locator('form[aria-busy="true"]')).toHaveCount(0);
}

test.describe('two-step verification', () => {
  test.use({ porticoPolicy: { localAccounts: { backoffBaseMs: 0 } } });

  test('set up from Account with the QR code; a sign-in then needs the app’s code, each code once', async ({ page }) => {
    await createFirstAdmin(page);
    const { secret } = await setUpTwoStep(page);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await signOut(page);

    await signIn(page, ADMIN.username, ADMIN.password);
    await expect(page.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
    expect(await seriousA11yViolations(page)).toEqual([]);
    // Waiting for the code is no session: data and admin channels refuse the window.
    for (const call of ['listDatasets', 'listUsers', 'getAccountSecurity'] as const) {
      const result = await page.evaluate((name) => (window as any).portico[name](), call);
      expect(result, call).toMatchObject({ ok: false, code: 'NOT_SIGNED_IN' });
    }
    const query = await page.evaluate(() =>
      (window as any).portico.queryData({ datasetId: 'sample-orders', offset: 0, limit: 10 }),
    );
    expect(query).toMatchObject({ ok: false, code: 'NOT_SIGNED_IN' });

    // The set-up used this period's code: the next period's (within the window) signs in.
    const code = appCode(secret, 1);
    await enterCode(page, code);
    await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${ADMIN.displayName}` })).toBeVisible();
    await signOut(page);

    // The same code again, within its window: refused as used.
    await signIn(page, ADMIN.username, ADMIN.password);
    await enterCode(page, code);
    await expect(page.getByRole('alert')).toContainText('already used');
    await expect(page.getByLabel('Code', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    expect(await page.evaluate(() => (window as any).portico.getCurrentSession())).toEqual({ ok: true, value: null });
    // Cancel goes back to the password form.
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Portico' })).toBeVisible();
  });

  test('a recovery code signs in once, without the phone; used again it is refused', async ({ page }) => {
    await createFirstAdmin(page);
    const { codes } = await setUpTwoStep(page);
    await signOut(page);

    await signIn(page, ADMIN.username, ADMIN.password);
    await enterCode(page, codes[0]!);
    await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${ADMIN.displayName}` })).toBeVisible();
    await openAccount(page);
    await expect(page.getByText('9 of 10 recovery codes left.')).toBeVisible();
    await signOut(page);

    await signIn(page, ADMIN.username, ADMIN.password);
    await enterCode(page, codes[0]!);
    await expect(page.getByRole('alert')).toContainText('That recovery code was already used');
    await enterCode(page, codes[1]!.toUpperCase());
    await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${ADMIN.displayName}` })).toBeVisible();
  });

  test('an administrator resets someone’s two-step verification; they sign in with the password alone', async ({ page }) => {
    await createFirstAdmin(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Users' }).click();
    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByLabel('Username', { exact: true }).fill(VIEWER.username);
    await form.getByLabel('Display name', { exact: true }).fill(VIEWER.displayName);
    await form.getByLabel('Password', { exact: true }).fill(VIEWER.password);
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect(page.getByRole('status')).toContainText(`User ${VIEWER.username} created.`);
    await signOut(page);

    // Vic sets it up, then loses the phone.
    await signIn(page, VIEWER.username, VIEWER.password);
    await openAccount(page);
    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    await page.getByText('Can’t scan it? Type this key instead').click();
    const secret = (await page.locator('.setup-key-text').innerText()).replace(/\s/g, '');
    await page.getByLabel('Enter the 6-digit code the app shows for Portico').fill(appCode(secret));
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await page.getByLabel('I have saved these codes somewhere safe').check();
    await page.getByRole('button', { name: 'Done' }).click();
    await signOut(page);

    await signIn(page, ADMIN.username, ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Users' }).click();
    const row = page.getByRole('row', { name: new RegExp(VIEWER.displayName) });
    await expect(row).toContainText('2-step');
    await page.getByRole('button', { name: `Reset two-step verification for ${VIEWER.username}` }).click();
    await page.getByRole('button', { name: 'Reset two-step verification', exact: true }).click();
    await expect(page.getByRole('status')).toContainText(`Two-step verification for ${VIEWER.username} reset.`);
    await expect(row).not.toContainText('2-step');
    await signOut(page);

    await signIn(page, VIEWER.username, VIEWER.password);
    await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${VIEWER.displayName}` })).toBeVisible();
  });
});

test.describe('guessing at the code', () => {
  test.use({ porticoPolicy: { localAccounts: { backoffBaseMs: 0, maxFailures: 3, lockoutMinutes: 15 } } });

  test('wrong codes lock the account like wrong passwords, with a countdown; the password again does not reset it', async ({
    page,
  }) => {
    await createFirstAdmin(page);
    const { secret } = await setUpTwoStep(page);
    await signOut(page);

    await signIn(page, ADMIN.username, ADMIN.password);
    await enterCode(page, '000000');
    await expect(page.getByRole('alert')).toContainText('not right');
    // Back to the password, which is right: the count goes on.
    await page.getByRole('button', { name: 'Cancel' }).click();
    await signIn(page, ADMIN.username, ADMIN.password);
    await enterCode(page, '000001');
    await expect(page.getByRole('alert')).toContainText('not right');
    await enterCode(page, '000002');
    await expect(page.getByRole('alert')).toContainText('locked');
    // The countdown runs to the end of the lock (about 15 minutes), and Verify waits for it.
    await expect(page.getByRole('timer')).toHaveText(/Sign-in opens again in 1[45]:\d\d\./);
    const first = await page.getByRole('timer').innerText();
    await expect(page.getByRole('timer')).not.toHaveText(first);
    await expect(page.getByRole('button', { name: 'Verify' })).toBeDisabled();
    // The right code from the console is refused too, as is the right password.
    const right = await page.evaluate((code) => (window as any).portico.verifySecondFactor({ code }), appCode(secret, 1));
    expect(right).toMatchObject({ ok: false, code: 'ACCOUNT_LOCKED' });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await signIn(page, ADMIN.username, ADMIN.password);
    await expect(page.getByRole('alert')).toContainText('locked');
    await expect(page.getByRole('timer')).toHaveText(/opens again in 1[45]:\d\d\./);
    // Said the same to everyone: nothing here tells an administrator to ask an administrator.
    await expect(page.getByRole('alert')).not.toContainText(/ask (your|an|another) administrator/i);
  });
});

test.describe('passwords', () => {
  test.use({ porticoPolicy: { localAccounts: { backoffBaseMs: 0 } } });

  test('change one’s own password: rules shown first, every problem named at once, Show and Caps Lock', async ({ page }) => {
    await createFirstAdmin(page);
    await openAccount(page);
    await expect(page.getByText('Your new password needs:')).toBeVisible();
    await expect(page.getByText('At least 12 characters')).toBeVisible();

    // A wrong current password, a short new one and a mismatch, all named at once.
    await page.getByLabel('Current password', { exact: true }).fill('not my password at all');
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Type the new password again', { exact: true }).fill('shorter');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('alert')).toContainText('at least 12 characters');
    await expect(page.getByRole('alert')).toContainText('do not match');
    await expect(page.getByLabel('New password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Type the new password again', { exact: true })).toHaveAttribute('aria-invalid', 'true');

    // Main's own check: a wrong current password and a common new one, together.
    await page.getByLabel('New password', { exact: true }).fill('Password1234!');
    await page.getByLabel('Type the new password again', { exact: true }).fill('Password1234!');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('alert')).toContainText('current password is not right');
    await expect(page.getByRole('alert')).toContainText('common passwords');
    await expect(page.getByLabel('Current password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('New password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Show the password as typed, and hide it again.
    const fresh = 'a fresh passphrase of my own';
    const input = page.getByLabel('New password', { exact: true });
    await input.fill(fresh);
    await expect(input).toHaveAttribute('type', 'password');
    await page.getByRole('button', { name: 'Show new password' }).click();
    await expect(input).toHaveAttribute('type', 'text');
    await page.getByRole('button', { name: 'Hide new password' }).click();
    await expect(input).toHaveAttribute('type', 'password');
    // Caps Lock on while typing: said under the field.
    await input.evaluate((element) =>
      element.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'A', bubbles: true, modifierCapsLock: true } as KeyboardEventInit),
      ),
    );
    await expect(page.getByText('Caps Lock is on.')).toBeVisible();
    await input.evaluate((element) => element.dispatchEvent(new KeyboardEvent('keyup', { key: 'a', bubbles: true })));
    await expect(page.getByText('Caps Lock is on.')).toHaveCount(0);

    await page.getByLabel('Current password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Type the new password again', { exact: true }).fill(fresh);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('status')).toContainText('Your password was changed.');
    await signOut(page);

    await signIn(page, ADMIN.username, ADMIN.password);
    await expect(page.getByRole('alert')).toContainText('incorrect');
    await signIn(page, ADMIN.username, fresh);
    await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${ADMIN.displayName}` })).toBeVisible();
  });

  test('an administrator’s reset is a temporary password: the change comes first, and nothing answers before it', async ({
    page,
  }) => {
    await createFirstAdmin(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Users' }).click();
    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByLabel('Username', { exact: true }).fill(VIEWER.username);
    await form.getByLabel('Display name', { exact: true }).fill(VIEWER.displayName);
    await form.getByLabel('Password', { exact: true }).fill(VIEWER.password);
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('button', { name: `Reset password for ${VIEWER.username}` }).click();
    await page.getByLabel(`New password for ${VIEWER.username}`).fill('a temporary passphrase');
    await page.getByRole('button', { name: 'Save password' }).click();
    await expect(page.getByRole('status')).toContainText('It is temporary');
    await expect(page.getByRole('row', { name: new RegExp(VIEWER.displayName) })).toContainText('Temporary password');
    await signOut(page);

    await signIn(page, VIEWER.username, 'a temporary passphrase');
    await expect(page.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
    // The rules before the first submit.
    await expect(page.getByText('At least 12 characters')).toBeVisible();
    expect(await page.evaluate(() => (window as any).portico.listDatasets())).toMatchObject({ ok: false, code: 'NOT_SIGNED_IN' });
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The temporary password again is refused by main.
    await page.getByLabel('New password', { exact: true }).fill('a temporary passphrase');
    await page.getByLabel('Type it again', { exact: true }).fill('a temporary passphrase');
    await page.getByRole('button', { name: 'Save password and continue' }).click();
    await expect(page.getByRole('alert')).toContainText('not the temporary one');
    await page.getByLabel('New password', { exact: true }).fill('my very own viewer passphrase');
    await page.getByLabel('Type it again', { exact: true }).fill('my very own viewer passphrase');
    await page.getByRole('button', { name: 'Save password and continue' }).click();
    await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${VIEWER.displayName}` })).toBeVisible();
    await signOut(page);
    await signIn(page, VIEWER.username, 'my very own viewer passphrase');
    await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${VIEWER.displayName}` })).toBeVisible();
  });
});

test.describe('policy requires two-step verification', () => {
  test.use({ porticoPolicy: { localAccounts: { backoffBaseMs: 0, mfa: 'everyone' } } });

  test('an account without it sets it up at its next sign-in, before anything opens', async ({ page }) => {
    await createFirstAdmin(page);
    await signOut(page);
    await signIn(page, ADMIN.username, ADMIN.password);
    await expect(page.getByRole('heading', { level: 1, name: 'Set up two-step verification' })).toBeVisible();
    expect(await page.evaluate(() => (window as any).portico.listUsers())).toMatchObject({ ok: false, code: 'NOT_SIGNED_IN' });
    await page.getByText('Can’t scan it? Type this key instead').click();
    const secret = (await page.locator('.setup-key-text').innerText()).replace(/\s/g, '');
    await page.getByLabel('Enter the 6-digit code the app shows for Portico').fill('123456');
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await expect(page.getByRole('alert')).toContainText('does not match');
    await page.getByLabel('Enter the 6-digit code the app shows for Portico').fill(appCode(secret));
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await expect(page.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('I have saved these codes somewhere safe').check();
    await page.getByRole('button', { name: 'Continue to Portico' }).click();
    await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${ADMIN.displayName}` })).toBeVisible();
    // Required: it cannot be turned off, only replaced.
    await openAccount(page);
    await expect(page.getByRole('button', { name: 'Turn off' })).toHaveCount(0);
    await expect(page.getByText('it cannot be turned off')).toBeVisible();
  });
});
