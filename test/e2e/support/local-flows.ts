/** User-level steps shared by specs: what an employee types and clicks. */
import { expect, type Page } from '@playwright/test';

export const ADMIN = { username: 'ada', displayName: 'Ada Admin', password: 'correct horse battery staple' };

export async function createFirstAdmin(page: Page, admin = ADMIN): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'Create the administrator account' })).toBeVisible();
  await page.getByLabel('Username', { exact: true }).fill(admin.username);
  await page.getByLabel('Display name', { exact: true }).fill(admin.displayName);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByLabel('Confirm password', { exact: true }).fill(admin.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Welcome, ${admin.displayName}` })).toBeVisible();
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Portico' })).toBeVisible();
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // Wait for the answer: the form is busy while main verifies.
  await expect(page.locator('form[aria-busy="true"]')).toHaveCount(0);
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in to Portico' })).toBeVisible();
}
