import { describe, expect, it } from 'vitest';
import { normaliseUsername } from '../../../../../main/auth/local/local-accounts';
import {
  displayTextProblem,
  isSingleScript,
  scriptsOf,
  skeleton,
  usernameProblem,
} from '../../../../../main/auth/local/name-rules';

describe('usernameProblem (on the normalised name)', () => {
  it.each([
    'ada',
    'ada.lovelace',
    'ada_l@corp.test',
    'j-doe',
    'müller',
    'иван',
    'ελένη',
    'محمد',
    'たなか',
    '田中たなか',
    '東京taro',
    '김kim',
    'i̇stanbul',
    'xii',
  ])('accepts %s', (name) => {
    expect(usernameProblem(name)).toBeNull();
  });

  it('refuses what normalisation turned into characters the form would refuse', () => {
    // Each passes the form's letters-and-digits check as typed.
    for (const typed of ['⑴', '½', 'x⑽']) {
      const stored = normaliseUsername(typed);
      expect(stored).not.toBe(typed);
      expect(usernameProblem(stored)).toMatch(/letters, digits and \. _ @ - only/);
    }
  });

  it.each([
    ['a\u200bb', 'zero-width space'],
    ['ab\u034f', 'combining grapheme joiner (an invisible mark)'],
    ['\u0301a', 'a mark with nothing to sit on'],
    ['a b', 'space'],
    ['a/b', 'slash'],
    ['a\u202eb', 'right-to-left override'],
  ])('refuses %j (%s)', (name) => {
    expect(usernameProblem(name)).toMatch(/only/);
  });

  it.each(['pаypal', 'аdmin', 'admіn', 'αdmin', 'محمدali', 'иванivan'])('refuses the mixed-script name %s', (name) => {
    expect(usernameProblem(name)).toMatch(/one alphabet/);
  });

  it('refuses empty and over-long names', () => {
    expect(usernameProblem('')).toBe('Enter a username.');
    expect(usernameProblem('a'.repeat(65))).toMatch(/at most 64/);
    expect(usernameProblem('a'.repeat(64))).toBeNull();
  });
});

describe('scripts', () => {
  it('treats digits and punctuation as fitting any script, letters by their script', () => {
    expect(scriptsOf('7')).toBeNull();
    expect(scriptsOf('.')).toBeNull();
    expect(scriptsOf('a')).toEqual(new Set(['Latn']));
    expect(scriptsOf('а')).toEqual(new Set(['Cyrl']));
    expect(isSingleScript('иван.7')).toBe(true);
  });

  it('allows Latin with Japanese, Chinese or Korean, but not Japanese kana with Hangul', () => {
    expect(isSingleScript('taroたなか田中')).toBe(true);
    expect(isSingleScript('lee李ㄅ')).toBe(true);
    expect(isSingleScript('kim김金')).toBe(true);
    expect(isSingleScript('たなか김')).toBe(false);
  });

  it('knows the script of every letter, mark and digit this Node knows (no script left out)', () => {
    const anyScript = /[\p{L}\p{M}\p{N}]/u;
    const missing: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const char = String.fromCodePoint(cp);
      if (!anyScript.test(char)) continue;
      const scripts = scriptsOf(char);
      if (scripts !== null && scripts.size === 0) missing.push(cp.toString(16));
    }
    expect(missing).toEqual([]);
  });
});

describe('skeleton (UTS #39)', () => {
  it('matches names that look alike, case-insensitively', () => {
    const admin = skeleton('admin');
    for (const lookalike of ['аdmin', 'adrnin', 'ADMIN', 'admin'.normalize('NFD')]) {
      expect(skeleton(lookalike), lookalike).toBe(admin);
    }
    expect(skeleton('adm1n')).toBe(skeleton('admln'));
    expect(skeleton('g00gle')).toBe(skeleton('google'));
    expect(skeleton('paypal')).toBe(skeleton('раураl'));
  });

  it('tells different names apart', () => {
    expect(skeleton('ada')).not.toBe(skeleton('eda'));
    expect(skeleton('ivan')).not.toBe(skeleton('иван'));
  });
});

describe('displayTextProblem', () => {
  it.each([
    ['Sales\u202eAEME', '202E'],
    ['Sales\u200b-EMEA', '200B'],
    ['Sales\u2028EMEA', '2028'],
    ['Sales\u2029EMEA', '2029'],
    ['Sales\u0007', '0007'],
    ['\ufeffSales', 'FEFF'],
  ])('refuses %j, naming U+%s', (value, code) => {
    expect(displayTextProblem(value, 'Group names')).toBe(
      `Group names cannot contain control or invisible formatting characters (U+${code} found).`,
    );
  });

  it.each(['Sales-EMEA', 'Ünïcode 🔑', 'محمد علی', 'c0ffee00-0000-4000-8000-000000000001'])('accepts %s', (value) => {
    expect(displayTextProblem(value, 'Display names')).toBeNull();
  });
});
