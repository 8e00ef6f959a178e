"use client";

import { sql, PostgreSQL } from "@codemirror/lang-sql";
import { EditorView, keymap } from "@codemirror/view";
import { Prec } from "@codemirror/state";
import CodeMirror from "@uiw/react-codemirror";
import { useMemo } from "react";

/**
 * The SQL editor: highlighting, completion of the collaboration's table and column names, and
 * Ctrl/Cmd+Enter to run. Loaded only on the workbench, and only in the browser.
 */
export default function SqlEditor({ value, onChange, onRun, schema }: { value: string; onChange: (value: string) => void; onRun: () => void; schema: Record<string, string[]> }) {
  const extensions = useMemo(
    () => [
      sql({ dialect: PostgreSQL, schema, upperCaseKeywords: true }),
      // Named for screen readers, and reachable with Tab like any other field.
      EditorView.contentAttributes.of({ "aria-label": "SQL query", tabindex: "0" }),
      EditorView.lineWrapping,
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
    [schema, onRun],
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
