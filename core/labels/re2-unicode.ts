/**
 * @module core/labels/re2-unicode — the Unicode facts Go's regexp/syntax uses, as seen from JS:
 * which `\p{…}` names Go 1.19 (Prometheus 2.42's toolchain, Unicode 13.0) knows, and the
 * simple case-folding orbits `(?i)` expands literals and classes with.
 *
 * JS engines carry a newer Unicode than Go 1.19. Every `\p{…}` table is therefore intersected
 * with the code points assigned in Unicode 13.0 and patched where a category or script changed
 * since (re2-unicode-data.ts, generated from Go's own answers).
 */
import { ASSIGNED_13, FOLD_ORBITS, GO_TABLE_FIXUPS } from './re2-unicode-data.ts';

/** General categories in Go 1.19's `unicode.Categories` (no `Cn`, no `LC`). */
export const GO_CATEGORIES: ReadonlySet<string> = new Set([
  'C', 'Cc', 'Cf', 'Co', 'Cs',
  'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu',
  'M', 'Mc', 'Me', 'Mn',
  'N', 'Nd', 'Nl', 'No',
  'P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps',
  'S', 'Sc', 'Sk', 'Sm', 'So',
  'Z', 'Zl', 'Zp', 'Zs',
]);

/** Script names in Go 1.19's `unicode.Scripts` (Unicode 13.0.0); names are case-sensitive in Go. */
export const GO_SCRIPTS: ReadonlySet<string> = new Set(
  (
    'Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali ' +
    'Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian ' +
    'Chakma Cham Cherokee Chorasmian Common Coptic Cuneiform Cypriot Cyrillic Deseret Devanagari ' +
    'Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Georgian Glagolitic ' +
    'Gothic Grantha Greek Gujarati Gunjala_Gondi Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran ' +
    'Hebrew Hiragana Imperial_Aramaic Inherited Inscriptional_Pahlavi Inscriptional_Parthian Javanese ' +
    'Kaithi Kannada Katakana Kayah_Li Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin ' +
    'Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean ' +
    'Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive ' +
    'Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nandinagari New_Tai_Lue ' +
    'Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic Old_North_Arabian ' +
    'Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Oriya Osage Osmanya Pahawh_Hmong ' +
    'Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan Saurashtra ' +
    'Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Syloti_Nagri ' +
    'Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangut Telugu Thaana Thai Tibetan ' +
    'Tifinagh Tirhuta Ugaritic Vai Wancho Warang_Citi Yezidi Yi Zanabazar_Square'
  ).split(' '),
);

/** Whether Go 1.19's `\p{…}` knows the name (case-sensitive). */
export function isGoTableName(name: string): boolean {
  return name === 'Any' || GO_CATEGORIES.has(name) || GO_SCRIPTS.has(name);
}

/**
 * The v-mode class body (without brackets) for a Go Unicode table name, or undefined when Go
 * does not know the name. Go's `C` is Cc|Cf|Co|Cs: unlike Unicode's `C` it omits unassigned Cn.
 */
export function goTableSource(name: string): string | undefined {
  let body: string;
  if (name === 'Any') return '\\p{Any}';
  if (name === 'C') body = '\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}';
  else if (GO_CATEGORIES.has(name)) body = `\\p{gc=${name}}`;
  else if (GO_SCRIPTS.has(name)) body = `\\p{sc=${name}}`;
  else return undefined;
  const assigned = assignedSource();
  if (assigned) body = `[${body}]&&[${assigned}]`;
  // A handful of code points changed category or script after Unicode 13.
  const fix = Object.hasOwn(GO_TABLE_FIXUPS, name) ? GO_TABLE_FIXUPS[name] : undefined;
  if (fix && fix.remove.length > 0) body = `[${body}]--[${fix.remove.map(cpEscape).join('')}]`;
  if (fix && fix.add.length > 0) body = `[${body}]${fix.add.map(cpEscape).join('')}`;
  return body;
}

let assignedCache: string | undefined;

/** Code points assigned in Unicode 13.0 as a v-mode class body, or '' when the table is absent. */
export function assignedSource(): string {
  if (assignedCache !== undefined) return assignedCache;
  let out = '';
  for (let i = 0; i < ASSIGNED_13.length; i += 2) {
    const lo = ASSIGNED_13[i]!;
    const hi = ASSIGNED_13[i + 1]!;
    out += lo === hi ? cpEscape(lo) : `${cpEscape(lo)}-${cpEscape(hi)}`;
  }
  assignedCache = out;
  return out;
}

/** Whether a code point was assigned in Unicode 13.0 (true for all when the table is absent). */
export function isAssigned13(cp: number): boolean {
  const t = ASSIGNED_13;
  if (t.length === 0) return true;
  let lo = 0;
  let hi = t.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < t[2 * mid]!) hi = mid - 1;
    else if (cp > t[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/** A code point as a v-mode escape; ASCII letters and digits stay readable. */
export function cpEscape(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) {
    return String.fromCharCode(cp);
  }
  return `\\u{${cp.toString(16)}}`;
}

let orbitIndex: Map<number, readonly number[]> | undefined;

/**
 * The simple case-folding orbit of `cp` (sorted, includes cp), or undefined when cp folds only to
 * itself. Orbits are Unicode CaseFolding.txt C+S classes, which is what Go's `unicode.SimpleFold`
 * walks; the table is generated (scripts/gen-re2-unicode.ts) and checked against Go in tests.
 */
export function foldOrbit(cp: number): readonly number[] | undefined {
  if (!orbitIndex) {
    orbitIndex = new Map();
    for (const o of FOLD_ORBITS) for (const c of o) orbitIndex.set(c, o);
  }
  return orbitIndex.get(cp);
}

/** Every non-trivial fold orbit. */
export function foldOrbits(): readonly (readonly number[])[] {
  return FOLD_ORBITS;
}
