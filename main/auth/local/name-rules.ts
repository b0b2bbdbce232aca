/**
 * Rules for the names an administrator gives a local account.
 *
 * Display names and group names: no control or format characters (general categories Cc,
 * Cf, Zl, Zp): a right-to-left override or a zero-width character would make "Sales-EMEA"
 * show as something else, or two different groups look the same, in the Users screen and the
 * audit log. Groups that an identity provider sends are not refused (a sign-in must not break
 * on an IdP's group name): they are only ever compared as exact strings with IT's mapping.
 *
 * Usernames, on the normalised name (NFKC, lower case: what the
 * account is keyed by), not on what was typed: normalisation can turn characters the form
 * allowed into ones it would not ("⑴" becomes "(1)", "½" becomes "1⁄2").
 *
 * - Characters: letters, marks after a letter, digits, and `.` `_` `@` `-`; nothing invisible
 *   (Default_Ignorable_Code_Point).
 * - One script (Unicode TR #39 "highly restrictive"): all characters from one script, or
 *   Latin with the Japanese (Han, Hiragana, Katakana), Chinese (Han, Bopomofo) or Korean (Han,
 *   Hangul) sets. "pаypal" with a Cyrillic "а" is refused.
 * - Not confusable with an existing name: two names whose UTS #39 skeletons match ("admin",
 *   "adm1n", "аdmin" in Cyrillic, "adrnin") cannot both exist, so an administrator cannot be
 *   impersonated in the Users screen or the audit log by a look-alike account.
 *
 * Pure functions; existing accounts are never affected (the rules apply when a name is chosen).
 */
import unhomoglyph from 'unhomoglyph';

export const MAX_USERNAME_LENGTH = 64;

const ALLOWED = /^[\p{L}\p{M}\p{N}._@-]+$/u;
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;

/**
 * Unicode script codes (ISO 15924) that V8's RegExp knows, Common and Inherited left out
 * (they go with any script). A script missing here, or unknown to the running V8, makes its
 * letters belong to no script: such a name is refused (fail closed), never let through.
 */
const SCRIPTS = [
  'Adlm', 'Aghb', 'Ahom', 'Arab', 'Armi', 'Armn', 'Avst', 'Bali', 'Bamu', 'Bass', 'Batk', 'Beng', 'Berf', 'Bhks',
  'Bopo', 'Brah', 'Brai', 'Bugi', 'Buhd', 'Cakm', 'Cans', 'Cari', 'Cham', 'Cher', 'Chrs', 'Copt', 'Cpmn', 'Cprt',
  'Cyrl', 'Deva', 'Diak', 'Dogr', 'Dsrt', 'Dupl', 'Egyp', 'Elba', 'Elym', 'Ethi', 'Gara', 'Geor', 'Glag', 'Gong',
  'Gonm', 'Goth', 'Gran', 'Grek', 'Gujr', 'Gukh', 'Guru', 'Hang', 'Hani', 'Hano', 'Hatr', 'Hebr', 'Hira', 'Hluw',
  'Hmng', 'Hmnp', 'Hung', 'Ital', 'Java', 'Kali', 'Kana', 'Kawi', 'Khar', 'Khmr', 'Khoj', 'Kits', 'Knda', 'Krai',
  'Kthi', 'Lana', 'Laoo', 'Latn', 'Lepc', 'Limb', 'Lina', 'Linb', 'Lisu', 'Lyci', 'Lydi', 'Mahj', 'Maka', 'Mand',
  'Mani', 'Marc', 'Medf', 'Mend', 'Merc', 'Mero', 'Miao', 'Mlym', 'Modi', 'Mong', 'Mroo', 'Mtei', 'Mult', 'Mymr',
  'Nagm', 'Nand', 'Narb', 'Nbat', 'Newa', 'Nkoo', 'Nshu', 'Ogam', 'Olck', 'Onao', 'Orkh', 'Orya', 'Osge', 'Osma',
  'Ougr', 'Palm', 'Pauc', 'Perm', 'Phag', 'Phli', 'Phlp', 'Phnx', 'Plrd', 'Prti', 'Rjng', 'Rohg', 'Runr', 'Samr',
  'Sarb', 'Saur', 'Sgnw', 'Shaw', 'Shrd', 'Sidd', 'Sidt', 'Sind', 'Sinh', 'Sogd', 'Sogo', 'Sora', 'Soyo', 'Sund',
  'Sunu', 'Sylo', 'Syrc', 'Tagb', 'Takr', 'Tale', 'Talu', 'Taml', 'Tang', 'Tavt', 'Tayo', 'Telu', 'Tfng', 'Tglg',
  'Thaa', 'Thai', 'Tibt', 'Tirh', 'Tnsa', 'Todr', 'Tols', 'Toto', 'Tutg', 'Ugar', 'Vaii', 'Vith', 'Wara', 'Wcho',
  'Xpeo', 'Xsux', 'Yezi', 'Yiii', 'Zanb',
] as const; // prettier-ignore

/** The scripts that combine with Latin under "highly restrictive" (UTS #39 5.2). */
const CJK_SETS: readonly (readonly string[])[] = [
  ['Latn', 'Hani', 'Hira', 'Kana'],
  ['Latn', 'Hani', 'Bopo'],
  ['Latn', 'Hani', 'Hang'],
];

let scriptTests: [string, RegExp][] | null = null;
const COMMON_OR_INHERITED = /^[\p{Script_Extensions=Zyyy}\p{Script_Extensions=Zinh}]$/u;

/** Compiled on first use; a script the running V8 does not know is left out. */
function scriptRegexes(): [string, RegExp][] {
  scriptTests ??= SCRIPTS.flatMap((code): [string, RegExp][] => {
    try {
      return [[code, new RegExp(`^\\p{Script_Extensions=${code}}$`, 'u')]];
    } catch {
      return [];
    }
  });
  return scriptTests;
}

/** A character's scripts (Script_Extensions); null for Common and Inherited, which fit any. */
export function scriptsOf(char: string): Set<string> | null {
  if (COMMON_OR_INHERITED.test(char)) return null;
  return new Set(scriptRegexes().flatMap(([code, test]) => (test.test(char) ? [code] : [])));
}

/** True when every character fits one script, or one of the Latin + CJK sets. */
export function isSingleScript(name: string): boolean {
  const sets = [...name].map(scriptsOf).filter((set): set is Set<string> => set !== null);
  if (sets.length === 0) return true;
  // The scripts every character has in common (its "resolved script set").
  const common = [...sets[0]!].filter((code) => sets.every((set) => set.has(code)));
  if (common.length > 0) return true;
  return CJK_SETS.some((allowed) => sets.every((set) => allowed.some((code) => set.has(code))));
}

const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** What is wrong with a display or group name (`what` names it in the message), or null. */
export function displayTextProblem(value: string, what: string): string | null {
  const bad = INVISIBLE_OR_CONTROL.exec(value);
  if (!bad) return null;
  const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `${what} cannot contain control or invisible formatting characters (U+${code} found).`;
}

/** What is wrong with a new (normalised) username, or null. */
export function usernameProblem(name: string): string | null {
  if (name.length === 0) return 'Enter a username.';
  if ([...name].length > MAX_USERNAME_LENGTH) return `Usernames are at most ${MAX_USERNAME_LENGTH} characters.`;
  if (!ALLOWED.test(name) || INVISIBLE.test(name) || /^\p{M}/u.test(name)) {
    return `Usernames may contain letters, digits and . _ @ - only ("${name}" is what Portico would store).`;
  }
  if (!isSingleScript(name)) {
    return 'Use letters from one alphabet only: a name that mixes scripts (such as Latin and Cyrillic) can imitate another.';
  }
  return null;
}

/** UTS #39: NFD, then confusables.txt's mapping, then NFD again. */
function uts39Skeleton(text: string): string {
  return unhomoglyph(text.normalize('NFD')).normalize('NFD');
}

/**
 * The skeleton compared for usernames, which are case-insensitive: taken on the lower-case
 * name, and lower-cased and mapped once more since confusables.txt maps to capitals at times
 * ("0" to "O"). So "g00gle" and "google" share one, and "ADMIN" and "admin".
 */
export function skeleton(name: string): string {
  return uts39Skeleton(uts39Skeleton(name.toLowerCase()).toLowerCase()).toLowerCase();
}
