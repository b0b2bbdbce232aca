/**
 * Portico's own application menu, as plain data for `Menu.buildFromTemplate` (main/index.ts),
 * so that it is unit-tested. Electron's default menu offers "Toggle Developer Tools",
 * "Reload" and links to electronjs.org: in a packaged build none of that belongs to Portico.
 * Developer tools and reload stay for developers (an unpackaged build).
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface AppMenuOptions {
  appName: string;
  platform: NodeJS.Platform;
  packaged: boolean;
}

export function appMenuTemplate({ appName, platform, packaged }: AppMenuOptions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  // Electron's `about` role: the native panel on macOS and Linux, a message box on Windows,
  // showing what app.setAboutPanelOptions gives it (name and version).
  const about: MenuItemConstructorOptions = { role: 'about', label: `About ${appName}` };
  const developer: MenuItemConstructorOptions[] = packaged
    ? []
    : [{ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' }];
  const menu: MenuItemConstructorOptions[] = [];
  if (mac) {
    menu.push({
      label: appName,
      submenu: [
        about,
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  menu.push(
    { label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] },
    // Copy and paste in text fields (macOS needs these roles in a menu for the shortcuts to work).
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...developer,
      ],
    },
    { label: 'Window', submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, { role: 'front' }] : [{ role: 'minimize' }] },
    { label: 'Help', role: 'help', submenu: mac ? [] : [about] },
  );
  // An empty Help menu shows nothing on macOS; About lives in the app menu there.
  return mac ? menu.filter((item) => item.label !== 'Help') : menu;
}

/** What the About panel shows (app.setAboutPanelOptions). */
export function aboutPanelOptions(appName: string, version: string) {
  return {
    applicationName: appName,
    applicationVersion: version,
    version,
    copyright: `${appName} ${version}`,
  };
}
