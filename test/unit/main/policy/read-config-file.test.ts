/**
 * Reading configuration and policy files from disk, with real files of each kind: only a
 * regular file (or a link to one), at most 1 MiB, UTF-8 with or without a BOM or UTF-16 with
 * one, no key given twice, no absurd nesting. Every refusal names the file and is a
 * ConfigError (CONFIG_INVALID or POLICY_INVALID), never a stall or STARTUP_FAILED.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, readConfigLayer, type ConfigLayerKind } from '../../../../main/policy/load-config';
import { MAX_CONFIG_BYTES } from '../../../../main/policy/read-config-file';
import { describeStartupError } from '../../../../main/startup-errors';
import { tempDir } from '../../helpers';
import { makeFifo } from './special-files';

const POLICY = { localAccounts: { enabled: false }, session: { idleMinutes: 10 } };
const POLICY_JSON = JSON.stringify(POLICY, null, 2);

async function file(name: string, content: string | Buffer): Promise<string> {
  const target = path.join(await tempDir(), name);
  await fs.writeFile(target, content);
  return target;
}

async function refusal(target: string, kind: ConfigLayerKind = 'policy', optional = true): Promise<ConfigError> {
  const error = await readConfigLayer(target, optional, kind).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const configError = error as ConfigError;
  expect(configError.source).toBe(target);
  expect(configError.origin).toBe(kind);
  expect(configError.message).toContain(target);
  return configError;
}

describe('readConfigLayer: encodings', () => {
  it('reads UTF-8 with a byte order mark (Windows PowerShell’s Set-Content -Encoding utf8)', async () => {
    const target = await file('policy.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(POLICY_JSON)]));
    expect(await readConfigLayer(target, false, 'policy')).toEqual({ source: target, value: POLICY, kind: 'policy' });
  });

  it('reads UTF-16LE with a byte order mark (PowerShell’s Out-File, -Encoding Unicode), CRLF line ends', async () => {
    const text = POLICY_JSON.replace(/\n/g, '\r\n');
    const target = await file('policy.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect((await readConfigLayer(target, false, 'policy'))?.value).toEqual(POLICY);
  });

  it('reads UTF-16BE with a byte order mark', async () => {
    const be = Buffer.from(POLICY_JSON, 'utf16le').swap16();
    const target = await file('policy.json', Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    expect((await readConfigLayer(target, false, 'policy'))?.value).toEqual(POLICY);
  });

  it('reads non-ASCII text in each encoding alike', async () => {
    const value = { security: { externalUrlAllowList: ['https://intranet.example/hjälp/'] } };
    const json = JSON.stringify(value);
    for (const bytes of [
      Buffer.from(json),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]),
    ]) {
      expect((await readConfigLayer(await file('policy.json', bytes), false, 'policy'))?.value).toEqual(value);
    }
  });

  it('refuses UTF-16 without a byte order mark, saying what it looks like', async () => {
    const target = await file('policy.json', Buffer.from(POLICY_JSON, 'utf16le'));
    const error = await refusal(target);
    expect(error.message).toBe(
      `The machine policy set by your administrator ${target} is not valid JSON. ` +
        'It looks like UTF-16 without a byte order mark: save it as UTF-8.',
    );
  });

  it('refuses bytes that are not UTF-8 (e.g. Windows-1252) rather than guessing', async () => {
    const target = await file('config.json', Buffer.from('{"x":"caf\xe9"}', 'latin1'));
    const error = await refusal(target, 'user');
    expect(error.message).toMatch(/could not be read: it is not UTF-8 text/);
  });

  it('refuses UTF-16 with an odd number of bytes', async () => {
    const target = await file('policy.json', Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d]));
    expect((await refusal(target)).message).toMatch(/not valid UTF-16 text/);
  });
});

describe('readConfigLayer: duplicate keys', () => {
  it.each([
    ['at the top level', '{"session":{"idleMinutes":5},"session":{"idleMinutes":60}}', 'session'],
    [
      'nested (a lax value hidden below a strict one)',
      '{"localAccounts":{"enabled":false,"maxFailures":3,"enabled":true}}',
      'localAccounts.enabled',
    ],
    [
      'inside a list item',
      '{"providers":{"oidc":[{"id":"a"},{"id":"b","clientId":"x","clientId":"y"}]}}',
      'providers.oidc.1.clientId',
    ],
    [
      'spelled with an escape',
      '{"security":{"allowWeakKeyStorage":false,"allowWeakKey\\u0053torage":true}}',
      'security.allowWeakKeyStorage',
    ],
  ])('refuses a key given twice %s, naming its path and the file', async (_label, json, key) => {
    const target = await file('policy.json', json);
    const error = await refusal(target);
    expect(error.message).toBe(`The machine policy set by your administrator ${target} sets ${key} more than once.`);
    expect(error.keys).toEqual([key]);
    expect(error.issues[0]).toMatch(
      new RegExp(`^${key.replace(/\./g, '\\.')}: set more than once \\(again at line 1, column \\d+\\); keep one$`),
    );
    expect(describeStartupError(error).code).toBe('POLICY_INVALID');
  });

  it('accepts the same key in different objects, and key-like text inside strings', async () => {
    const json = '{"providers":{"oidc":[{"id":"a","displayName":"\\"id\\": {"},{"id":"b","displayName":"}, \\"id\\""}]}}';
    const target = await file('policy.json', json);
    expect(await readConfigLayer(target, false, 'policy')).toMatchObject({ value: JSON.parse(json) });
  });

  it('reports a syntax error before a duplicate key', async () => {
    const target = await file('policy.json', '{"a":1,"a":2,');
    expect((await refusal(target)).message).toMatch(/is not valid JSON\.$/);
  });
});

describe('readConfigLayer: nesting', () => {
  it.each([
    // The 65th opening bracket is refused: column 65, or 321 after 64 `{"a":`.
    ['arrays', '['.repeat(200_000) + ']'.repeat(200_000), 65],
    ['objects', '{"a":'.repeat(150_000) + '1' + '}'.repeat(150_000), 321],
  ])('refuses deeply nested %s naming the file: POLICY_INVALID, not STARTUP_FAILED', async (_label, json, column) => {
    const target = await file('policy.json', json);
    const error = await refusal(target);
    expect(error.message).toBe(
      `The machine policy set by your administrator ${target} is nested more than 64 levels deep, which no Portico configuration needs.`,
    );
    expect(error.issues).toEqual([`line 1, column ${column}: nested more than 64 levels deep`]);
    expect(describeStartupError(error).code).toBe('POLICY_INVALID');
  });

  it('accepts the deepest real configuration (a dataset’s column rules)', async () => {
    const value = {
      data: {
        datasets: [
          {
            id: 'deals',
            name: 'Deals',
            source: { type: 'csv', path: '/srv/deals.csv' },
            columns: [{ name: 'owner' }],
            security: { columns: { owner: { hidden: true, visibleTo: { roles: ['admin'] } } } },
          },
        ],
      },
    };
    const target = await file('policy.json', JSON.stringify(value));
    const layer = await readConfigLayer(target, false, 'policy');
    expect(parseConfig([layer!]).data.datasets[0]?.id).toBe('deals');
  });
});

describe('readConfigLayer: what is at the path', () => {
  it('refuses a named pipe (FIFO) at once instead of waiting for a writer, even when optional', async () => {
    const target = path.join(await tempDir(), 'config.json');
    await makeFifo(target);
    const error = await refusal(target, 'user');
    expect(error.message).toBe(`The configuration file ${target} could not be read: it is a named pipe (FIFO), not a file.`);
    expect(error.keys).toEqual(['(root)']);
  }, 30_000);

  it('refuses a link to a named pipe', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'pipe');
    await makeFifo(fifo);
    const link = path.join(dir, 'policy.json');
    await fs.symlink(fifo, link);
    expect((await refusal(link)).message).toMatch(/it is a named pipe \(FIFO\), not a file\.$/);
  }, 30_000);

  it('refuses a device (it could be read for ever)', async () => {
    const error = await refusal('/dev/zero', 'user');
    expect(error.message).toBe('The configuration file /dev/zero could not be read: it is a device, not a file.');
  }, 30_000);

  it('refuses a folder', async () => {
    const dir = await tempDir();
    expect((await refusal(dir)).message).toMatch(/could not be read: it is a folder, not a file\.$/);
  });

  it('follows a link to a regular file (IT may deploy the policy as a link)', async () => {
    const target = await file('real-policy.json', POLICY_JSON);
    const link = path.join(path.dirname(target), 'policy.json');
    await fs.symlink(target, link);
    expect(await readConfigLayer(link, false, 'policy')).toEqual({ source: link, value: POLICY, kind: 'policy' });
  });

  it('refuses a dangling link even when the file is optional (it was meant to apply)', async () => {
    const dir = await tempDir();
    const link = path.join(dir, 'policy.json');
    await fs.symlink(path.join(dir, 'gone.json'), link);
    expect((await refusal(link)).message).toMatch(/it is a link to a file that does not exist\.$/);
  });

  it(`refuses a file larger than ${MAX_CONFIG_BYTES / 1024} KiB, and accepts one just under`, async () => {
    const body = (size: number) => `{"session":{"idleMinutes":5}}${' '.repeat(size - 29)}`;
    expect(Buffer.byteLength(body(100))).toBe(100);
    const under = await file('policy.json', body(MAX_CONFIG_BYTES));
    expect((await readConfigLayer(under, false, 'policy'))?.value).toEqual({ session: { idleMinutes: 5 } });
    const over = await file('policy.json', body(MAX_CONFIG_BYTES + 1));
    expect((await refusal(over)).message).toMatch(/could not be read: it is larger than 1024 KiB/);
  });
});
