/**
 * What a reader sees. A headline of soft hyphens, zero-width spaces and a BOM renders as
 * nothing, so it is as empty as "".
 */

// UAX #44 properties, from the platform's own Unicode data (no hand list):
// - White_Space (PropList.txt): spaces, tabs, line and paragraph separators;
// - Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode §5.21): rendered as
//   nothing when not supported: soft hyphen, ZWSP, ZWNJ, ZWJ, word joiner, BOM, variation
//   selectors, Hangul fillers, tag characters...;
// - General_Category Cc: C0/C1 controls, which have no visible representation (Unicode §23.1).
const INVISIBLE = '\\p{White_Space}\\p{Default_Ignorable_Code_Point}\\p{Cc}';
const BLANK = new RegExp(`^[${INVISIBLE}]*$`, 'u');
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * True when the text shows nothing: it is empty or made only of White_Space,
 * Default_Ignorable_Code_Point and control (Cc) characters (UAX #44 properties). Combining
 * marks alone are NOT blank: they render (on a dotted circle). Never throws.
 */
export function isBlank(text: string): boolean {
  return BLANK.test(text);
}

/**
 * The text without its Default_Ignorable_Code_Point characters (UAX #44,
 * DerivedCoreProperties.txt; Unicode §5.21 "Ignoring characters in processing"), for
 * comparing and searching, never for storing: ZWJ and variation selectors change how an
 * emoji or an ideograph looks, ZWNJ how a Persian word is drawn.
 */
export function withoutIgnorables(text: string): string {
  return text.replace(IGNORABLE, '');
}
