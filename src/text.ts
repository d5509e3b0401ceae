// The character classes the agent checks text against, once: what UCI cannot store, what no
// name may hold, and what is not text at all (a lone UTF-16 surrogate, which no file encoding
// can write). Built as source strings so that a character class can be embedded elsewhere.

/** Control characters uci refuses in a value (uci_validate_text): below 0x20 but tab, LF and CR. */
const UCI_REFUSED = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f';
/** Every control character: C0 and DEL. */
const ALL_CONTROL = '\\u0000-\\u001f\\u007f';

/** What uci refuses in a value. */
export const UCI_REFUSED_CONTROL = new RegExp(`[${UCI_REFUSED}]`);
/** What the API refuses in any string: what uci refuses, and DEL. */
export const REFUSED_CONTROL = new RegExp(`[${UCI_REFUSED}\\u007f]`);
/** Any control character (names, and values written into other formats such as swanctl.conf). */
export const ANY_CONTROL = new RegExp(`[${ALL_CONTROL}]`);
/** A name: at least one character that is neither a control character nor a space, none a control character. */
export const PRINTABLE_NAME = new RegExp(`^[^${ALL_CONTROL}]*[^${ALL_CONTROL}\\s][^${ALL_CONTROL}]*$`);
/** Text without control characters, at least one character. */
export const NO_CONTROL = new RegExp(`^[^${ALL_CONTROL}]+$`);
/** A UTF-16 surrogate without its other half. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Characters swanctl.conf cannot carry inside a quoted value (besides control characters). */
export const SWANCTL_UNSAFE = new RegExp(`["\\\\#{}${ALL_CONTROL}]`);
