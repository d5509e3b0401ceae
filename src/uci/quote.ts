/**
 * THE quoting function for UCI text: the value between single quotes, each `'` written as
 * `'\''`. It is what `uci export`, `uci show` and `uci commit` write, and the only way the
 * batch builder puts a value into batch text. Inside single quotes uci's tokenizer treats
 * every character literally (newlines included), so nothing else needs escaping.
 */
export function quoteUciValue(value: string): string {
  return `'${value.split("'").join("'\\''")}'`;
}
