/**
 * How far an underline runs from where a refused construct starts: to the end of its word (a
 * name, a dotted name, a quoted identifier or a string), at least one character.
 */
export function underlineRange(text: string, position: number): { from: number; to: number } | null {
  if (position < 0 || position >= text.length) return null;
  const token = /^("(?:[^"]|"")*"|'(?:[^']|'')*'|[\p{L}\p{N}_$.]+|\S)/u.exec(text.slice(position));
  return { from: position, to: position + Math.max(1, token ? token[0].length : 0) };
}
