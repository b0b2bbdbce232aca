/**
 * The process boundaries are held by lint (eslint.config.mjs), not by habit: each rule is shown
 * failing on a violation planted in a file of the real tree (the text is linted in place of
 * the file's own; nothing is written), and passing on the allowed form.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it, vi } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
const eslint = new ESLint({ cwd: ROOT });

/** The rule ids ESLint reports for `code` linted as the file at `file` (relative to the root). */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  const fatal = result!.messages.filter((m) => m.fatal);
  if (fatal.length) throw new Error(`could not lint ${file}: ${fatal.map((m) => m.message).join('; ')}`);
  return result!.messages.map((m) => m.ruleId ?? 'unknown');
}

const RESTRICTED = 'no-restricted-imports';

// The first lint builds the TypeScript programs (type-aware rules): seconds, more on a busy machine.
vi.setConfig({ testTimeout: 120_000 });
beforeAll(() => violations('main/errors.ts', 'export const warm = 1;\n'), 300_000);

describe('electron is wired only in main/index.ts and main/shell/electron-*.ts', () => {
  it.each(['main/app.ts', 'main/auth/sso-service.ts', 'main/shell/app-menu.ts', 'preload/api.ts', 'test/unit/helpers.ts'])(
    'refuses a value import of electron in %s',
    async (file) => {
      expect(await violations(file, "import { app } from 'electron';\nexport const name = app.getName();\n")).toContain(
        RESTRICTED,
      );
    },
  );

  it('accepts a type import of electron outside the wiring', async () => {
    const code = "import type { BrowserWindow } from 'electron';\nexport type W = BrowserWindow;\n";
    expect(await violations('main/shell/app-menu.ts', code)).not.toContain(RESTRICTED);
  });

  it.each(['main/index.ts', 'main/shell/electron-auth-surface.ts'])('accepts a value import in %s', async (file) => {
    expect(await violations(file, "import { app } from 'electron';\nexport const name = app.getName();\n")).not.toContain(
      RESTRICTED,
    );
  });

  it('keeps ipcRenderer out of the wiring files too (only preload/index.ts)', async () => {
    const code = "import { ipcRenderer } from 'electron';\nexport const r = ipcRenderer;\n";
    expect(await violations('main/index.ts', code)).toContain(RESTRICTED);
    expect(await violations('preload/index.ts', code)).not.toContain(RESTRICTED);
  });
});

describe('the contract imports nothing but zod', () => {
  it.each([
    ["import { promises } from 'node:fs';", 'node'],
    ["import { app } from 'electron';", 'electron'],
    ["import { AppError } from '../main/errors';", 'main'],
    ["import { createPorticoApi } from './api';", 'the preload api'],
    ["import lodash from 'lodash';", 'another package'],
  ])('refuses %s (%s)', async (line) => {
    expect(await violations('preload/contract.ts', `${line}\nexport const x = 1;\n`)).toContain(RESTRICTED);
  });

  it('accepts zod and the constants', async () => {
    const code = "import { z } from 'zod';\nimport { LOCAL_ROLES } from './constants';\nexport const s = z.enum(LOCAL_ROLES);\n";
    expect(await violations('preload/contract.ts', code)).not.toContain(RESTRICTED);
  });
});

describe('the renderer talks only to window.portico', () => {
  it.each([
    ["import { readFile } from 'node:fs/promises';", 'node: builtins'],
    ["import path from 'path';", 'bare builtins'],
    ["import type { IpcRendererEvent } from 'electron';", 'electron, even types'],
    ["import { createApp } from '../../main/app';", 'main/'],
    ["import '../../preload/index';", 'preload/index'],
  ])('refuses %s (%s)', async (line) => {
    expect(await violations('renderer/src/main.tsx', `${line}\nexport const x = 1;\n`)).toContain(RESTRICTED);
  });

  it('accepts the contract and the api types', async () => {
    const code = "import type { PorticoApi } from '../../preload/api';\nexport type A = PorticoApi;\n";
    expect(await violations('renderer/src/main.tsx', code)).not.toContain(RESTRICTED);
  });
});

describe('a switch over a union handles every member (type-aware)', () => {
  const code = (cases: string) =>
    `type Kind = 'csv' | 'parquet' | 'postgres';\nexport function f(k: Kind): number {\n  switch (k) {\n${cases}\n  }\n}\n`;

  it('refuses a missing member, and a default that hides it', async () => {
    const missing = code("    case 'csv': return 1;\n    case 'parquet': return 2;\n    default: return 0;");
    expect(await violations('main/errors.ts', missing)).toContain('@typescript-eslint/switch-exhaustiveness-check');
  });

  it('accepts a switch that names every member', async () => {
    const all = code("    case 'csv': return 1;\n    case 'parquet': return 2;\n    case 'postgres': return 3;");
    expect(await violations('main/errors.ts', all)).not.toContain('@typescript-eslint/switch-exhaustiveness-check');
  });
});
