/**
 * Automatic updates (electron-updater, generic provider: an internal web server holding the
 * installers and the latest*.yml files electron-builder writes beside them). Off unless the
 * configuration turns them on: a managed fleet is often updated by Intune, Group Policy or
 * Jamf instead, and an app must not contact a server nobody configured.
 */
import { z } from 'zod';

const httpsUrl = z.url({ protocol: /^https$/, message: 'Must be an https:// URL.' });

export const updatesConfig = z
  .strictObject({
    /** Check the update server at launch and every few hours, download in the background, install on quit. */
    enabled: z.boolean().default(false),
    /** The folder on the internal server with latest.yml / latest-mac.yml / latest-linux.yml. */
    url: httpsUrl.optional(),
    /** `latest` (default), or e.g. `beta`: reads `<channel>.yml` from the same folder. */
    channel: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/, 'Use lower-case letters, digits and dashes, such as latest or beta.')
      .optional(),
  })
  .prefault({});
export type UpdatesConfig = z.output<typeof updatesConfig>;

/** Environment variable with the server URL, used only when the configuration gives none. */
export const UPDATE_URL_ENV = 'PORTICO_UPDATE_URL';

export interface UpdateFeed {
  provider: 'generic';
  url: string;
  channel: string;
}

export type UpdateDecision = { check: true; feed: UpdateFeed } | { check: false; reason: string };

/**
 * Whether to check for updates, and where. Pure, so that it is tested without Electron
 * (main/index.ts only acts on the answer). A development run never updates itself.
 */
export function decideUpdateCheck(
  updates: UpdatesConfig | undefined,
  env: Readonly<Record<string, string | undefined>>,
  isPackaged: boolean,
): UpdateDecision {
  if (!updates?.enabled) return { check: false, reason: 'Updates are off (updates.enabled is not set).' };
  if (!isPackaged) return { check: false, reason: 'Updates are checked only by an installed Portico.' };
  const fromEnv = env[UPDATE_URL_ENV]?.trim();
  const url = updates.url ?? fromEnv;
  if (!url) {
    return { check: false, reason: `Updates are on but no server is configured (set updates.url or ${UPDATE_URL_ENV}).` };
  }
  if (!updates.url && !httpsUrl.safeParse(url).success) {
    return { check: false, reason: `${UPDATE_URL_ENV} must be an https:// URL; updates are not checked.` };
  }
  return { check: true, feed: { provider: 'generic', url, channel: updates.channel ?? 'latest' } };
}
