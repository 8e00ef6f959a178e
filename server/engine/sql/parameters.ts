// Analysis templates write parameters as `:name`; DuckDB binds `$name`. The rewrite skips string
// literals, quoted identifiers, comments and `::` casts, so only real parameters change.

export interface TemplateSql {
  sql: string;
  parameters: string[];
}

export function toDuckDbParameters(text: string): TemplateSql {
  let out = "";
  const parameters: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "'" || c === '"') {
      const end = closing(text, i, c);
      out += text.slice(i, end);
      i = end;
    } else if (c === "-" && next === "-") {
      const end = text.indexOf("\n", i);
      const stop = end === -1 ? text.length : end;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === ":" && next === ":") {
      out += "::";
      i += 2;
    } else if (c === ":" && next !== undefined && /[A-Za-z_]/.test(next)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))!;
      parameters.push(match[0]);
      out += `$${match[0]}`;
      i += 1 + match[0].length;
    } else {
      out += c;
      i++;
    }
  }
  return { sql: out, parameters: [...new Set(parameters)] };
}

/** The index just past a quoted run that starts at `start`; a doubled quote stays inside. */
function closing(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}
