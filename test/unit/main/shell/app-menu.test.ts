import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { aboutPanelOptions, appMenuTemplate } from '../../../../main/shell/app-menu';

/** Every item of a template, submenus included. */
function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
}

const platforms: NodeJS.Platform[] = ['win32', 'darwin', 'linux'];

describe('appMenuTemplate', () => {
  it.each(platforms)('offers no developer tools, reload or Electron links in a packaged build on %s', (platform) => {
    const all = items(appMenuTemplate({ appName: 'Portico', platform, packaged: true }));
    const roles = all.map((item) => item.role).filter(Boolean);
    expect(roles).not.toContain('toggleDevTools');
    expect(roles).not.toContain('reload');
    expect(roles).not.toContain('forceReload');
    // Electron's default Help menu opens electronjs.org: no click handlers or links here at all.
    expect(all.filter((item) => item.click)).toEqual([]);
    expect(JSON.stringify(all)).not.toMatch(/electron/i);
  });

  it.each(platforms)('has an About entry on %s', (platform) => {
    const about = items(appMenuTemplate({ appName: 'Portico', platform, packaged: true })).filter((i) => i.role === 'about');
    expect(about).toHaveLength(1);
    expect(about[0]!.label).toBe('About Portico');
  });

  it('keeps copy and paste (macOS needs the Edit roles for the shortcuts)', () => {
    const roles = items(appMenuTemplate({ appName: 'Portico', platform: 'darwin', packaged: true })).map((i) => i.role);
    expect(roles).toEqual(expect.arrayContaining(['copy', 'paste', 'cut', 'selectAll', 'quit']));
  });

  it('gives developers their tools in an unpackaged build', () => {
    const roles = items(appMenuTemplate({ appName: 'Portico', platform: 'linux', packaged: false })).map((i) => i.role);
    expect(roles).toEqual(expect.arrayContaining(['toggleDevTools', 'reload']));
  });
});

describe('aboutPanelOptions', () => {
  it('shows the name and version', () => {
    expect(aboutPanelOptions('Portico', '1.4.2')).toMatchObject({ applicationName: 'Portico', applicationVersion: '1.4.2' });
  });
});
