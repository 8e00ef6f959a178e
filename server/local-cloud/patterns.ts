import { RE2JS } from "re2js";

// Patterns that come from callers (Glue's GetTables Expression, crawler exclusions) run in RE2,
// whose matching time is linear in the input: a pattern such as (a+)+$ that makes a backtracking
// engine run for minutes cannot stall the server, and every tenant with it. RE2 has no
// backreferences or lookaround; a pattern using them is refused as invalid.

export interface SafePattern {
  /** True when the whole of `text` matches. */
  matches(text: string): boolean;
}

export class InvalidPattern extends Error {}

/** Patterns longer than this are refused: RE2 is linear in the input, not in the pattern. */
export const MAX_PATTERN_LENGTH = 1024;

export function safePattern(source: string, options: { caseInsensitive?: boolean } = {}): SafePattern {
  if (source.length > MAX_PATTERN_LENGTH) throw new InvalidPattern(`The pattern is longer than ${MAX_PATTERN_LENGTH} characters.`);
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, options.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  } catch {
    throw new InvalidPattern("The pattern is not a valid regular expression (backreferences and lookaround are not supported).");
  }
  return { matches: (text) => compiled.matcher(text).matches() };
}
