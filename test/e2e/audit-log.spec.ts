/**
 * The Audit log screen after someone edits `audit.jsonl` while Portico is not running: records
 * cut from its end are reported (against the head kept in the vault), and stay reported.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ADMIN, createFirstAdmin, signIn, signOut } from './support/local-flows';

test.use({ porticoPolicy: { localAccounts: { backoffBaseMs: 0 }, data: { sample: { enabled: false } } } });

async function openAuditLog(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
}

test('records cut from the end of the log before a restart are reported on the Audit log screen, and stay reported', async ({
  page,
  portico,
  userDataDir,
}) => {
  await createFirstAdmin(page);
  await signOut(page);
  await signIn(page, ADMIN.username, ADMIN.password);
  await signOut(page);
  await signIn(page, ADMIN.username, ADMIN.password);
  await openAuditLog(page);
  await expect(page.getByText(/Integrity verified: all \d+ records chain correctly/)).toBeVisible();

  // Cut the last two records (a sign-out and a sign-in): the file still chains on its own.
  const file = path.join(userDataDir, 'audit.jsonl');
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
  await writeFile(
    file,
    lines
      .slice(0, -2)
      .map((l) => `${l}\n`)
      .join(''),
  );

  let restarted = await portico.restart();
  await signIn(restarted, ADMIN.username, ADMIN.password);
  await openAuditLog(restarted);
  const alert = restarted.getByRole('alert');
  await expect(alert).toContainText(`the chain breaks at line ${lines.length - 1} (records missing)`);
  await expect(restarted.getByRole('row').filter({ hasText: 'audit.chain-broken' })).toHaveCount(1);

  restarted = await portico.restart();
  await signIn(restarted, ADMIN.username, ADMIN.password);
  await openAuditLog(restarted);
  await expect(restarted.getByRole('alert')).toContainText(`the chain breaks at line ${lines.length - 1} (records missing)`);
  await expect(restarted.getByRole('row').filter({ hasText: 'audit.chain-broken' })).toHaveCount(1);
});
