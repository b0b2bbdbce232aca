/**
 * electron-builder `afterPack` hook: flips Electron's fuses in the packed binary, before
 * electron-builder signs it (a flip after signing would break the signature), then reads
 * them back and fails the build if any fuse is not as asked.
 *
 * Why each fuse (https://www.electronjs.org/docs/latest/tutorial/fuses):
 * - RunAsNode off: `ELECTRON_RUN_AS_NODE=1 Portico` would otherwise be a signed Node.js
 *   interpreter that runs any script with Portico's identity (and keychain access).
 * - NODE_OPTIONS and --inspect off: no code injection through the environment or a debugger.
 * - Cookie encryption on: cookies on disk are encrypted with the OS-protected key.
 * - Embedded asar integrity on, and only load the app from app.asar: a modified app.asar (or
 *   an `app/` folder placed beside it) is refused at launch (integrity is enforced by
 *   Electron on macOS and Windows; electron-builder embeds the hashes).
 * - File protocol extra privileges off: Portico serves its UI from `app://`, never `file://`.
 */
import { Arch } from 'electron-builder';
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } from '@electron/fuses';
import path from 'node:path';

/** The fuse settings, by name. Read back by the packaging check (test/unit/packaging). */
export const FUSES = Object.freeze({
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: false,
});

/** The Electron executable inside the packed app, as electron-builder names it per platform. */
export function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') {
    return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
  }
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
  return path.join(appOutDir, packager.executableName);
}

export async function afterPack(context) {
  const binary = electronBinaryPath(context);
  const config = { version: FuseVersion.V1 };
  for (const [name, value] of Object.entries(FUSES)) config[FuseV1Options[name]] = value;
  // An arm64 macOS binary must keep a valid (ad-hoc) signature until it is signed for real.
  config.resetAdHocDarwinSignature = context.electronPlatformName === 'darwin' && context.arch === Arch.arm64;
  await flipFuses(binary, config);

  const wire = await getCurrentFuseWire(binary);
  const wrong = Object.entries(FUSES).filter(([name, value]) => wire[FuseV1Options[name]] !== (value ? 0x31 : 0x30));
  if (wrong.length > 0) {
    throw new Error(`afterPack: these fuses did not flip in ${binary}: ${wrong.map(([name]) => name).join(', ')}`);
  }
  console.log(
    `  • fuses flipped  ${Object.entries(FUSES)
      .map(([name, value]) => `${name}=${value ? 'on' : 'off'}`)
      .join(' ')}`,
  );
}

export default afterPack;
