"use client";

import { sql, PostgreSQL } from "@codemirror/lang-sql";
import { linter, type Diagnostic } from "@codemirror/lint";
import { EditorView, keymap } from "@codemirror/view";
import { Prec } from "@codemirror/state";
import CodeMirror from "@uiw/react-codemirror";
import { useMemo } from "react";
import { underlineRange } from "@/lib/sql-underline";

/** A refusal to underline: where it starts in the text, and the engine's words. */
export interface Underline {
  position: number;
  message: string;
}

/**
 * The SQL editor: highlighting, completion of the collaboration's table and column names,
 * Ctrl/Cmd+Enter to run, and, when `check` is given, the rules' verdict as you type: the check
 * runs after a pause in typing, and a refusal is underlined where the engine says it applies.
 * Loaded only on the workbench, and only in the browser.
 */
export default function SqlEditor({
  value,
  onChange,
  onRun,
  schema,
  check,
}: {
  value: string;
  onChange: (value: string) => void;
  onRun: () => void;
  schema: Record<string, string[]>;
  check?: (text: string) => Promise<Underline | null>;
}) {
  const extensions = useMemo(
    () => [
      sql({ dialect: PostgreSQL, schema, upperCaseKeywords: true }),
      // Named for screen readers, and reachable with Tab like any other field.
      EditorView.contentAttributes.of({ "aria-label": "SQL query", tabindex: "0" }),
      EditorView.lineWrapping,
      ...(check
        ? [
            linter(
              async (view): Promise<Diagnostic[]> => {
                const text = view.state.doc.toString();
                const underline = await check(text);
                // CodeMirror drops the answer if the text changed while the check ran.
                const range = underline && underlineRange(text, underline.position);
                return range ? [{ ...range, severity: "error", message: underline.message }] : [];
              },
              { delay: 400 },
            ),
          ]
        : []),
      Prec.highest(
        keymap.of([
          {
            key: "Mod-Enter",
            run: () => {
              onRun();
              return true;
            },
          },
        ]),
      ),
    ],
    [schema, onRun, check],
  );
  return (
    <CodeMirror
      value={value}
      onChange={onChange}
      extensions={extensions}
      height="220px"
      basicSetup={{ lineNumbers: true, foldGutter: false, highlightActiveLine: true }}
      aria-label="SQL query"
      className="overflow-hidden rounded-md border border-slate-300 text-sm"
    />
  );
}
