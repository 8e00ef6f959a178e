import { findResource } from "./store";

// An analysis's or dashboard's definition, checked as QuickSight checks it after accepting the
// request: every data set it declares must exist in the account, and every column a visual names
// must be a column of the data set it names. Problems are reported in the resource's Errors, with
// a *_FAILED status, not as a refused request.

export interface DefinitionError {
  Type: "DATA_SET_NOT_FOUND" | "COLUMN_NOT_FOUND" | "INTERNAL_FAILURE" | "PARAMETER_NOT_FOUND";
  Message: string;
  ViolatedEntities?: { Path: string }[];
}

interface Definition {
  DataSetIdentifierDeclarations?: { Identifier?: string; DataSetArn?: string }[];
  Sheets?: { SheetId?: string; Name?: string; Visuals?: unknown[] }[];
}

/** Every {DataSetIdentifier, ColumnName} the definition refers to, with where it is. */
function columnReferences(value: unknown, path: string, found: { identifier: string; column: string; path: string }[]): void {
  if (Array.isArray(value)) value.forEach((item, i) => columnReferences(item, `${path}[${i}]`, found));
  else if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (typeof record.DataSetIdentifier === "string" && typeof record.ColumnName === "string") found.push({ identifier: record.DataSetIdentifier, column: record.ColumnName, path });
    for (const [key, child] of Object.entries(record)) columnReferences(child, `${path}.${key}`, found);
  }
}

export async function definitionErrors(account: string, definition: Definition): Promise<{ errors: DefinitionError[]; dataSetArns: string[] }> {
  const errors: DefinitionError[] = [];
  const columns = new Map<string, Set<string>>();
  const dataSetArns: string[] = [];
  for (const declaration of definition.DataSetIdentifierDeclarations ?? []) {
    const arn = declaration.DataSetArn ?? "";
    dataSetArns.push(arn);
    const id = /^arn:aws:quicksight:[a-z0-9-]+:(\d{12}):dataset\/([\w-]+)$/.exec(arn);
    const dataSet = id && id[1] === account ? await findResource(account, "dataSet", id[2]!) : undefined;
    if (!dataSet) {
      errors.push({ Type: "DATA_SET_NOT_FOUND", Message: `The data set ${arn} does not exist in this account.` });
      continue;
    }
    columns.set(declaration.Identifier ?? "", new Set(((dataSet.body.OutputColumns as { Name: string }[]) ?? []).map((c) => c.Name)));
  }
  const references: { identifier: string; column: string; path: string }[] = [];
  columnReferences(definition.Sheets ?? [], "Sheets", references);
  for (const ref of references) {
    const known = columns.get(ref.identifier);
    if (!known && !errors.some((e) => e.Type === "DATA_SET_NOT_FOUND"))
      errors.push({ Type: "DATA_SET_NOT_FOUND", Message: `No data set is declared with the identifier ${ref.identifier}.`, ViolatedEntities: [{ Path: ref.path }] });
    else if (known && !known.has(ref.column)) errors.push({ Type: "COLUMN_NOT_FOUND", Message: `The data set ${ref.identifier} has no column ${ref.column}.`, ViolatedEntities: [{ Path: ref.path }] });
  }
  return { errors, dataSetArns };
}

export const sheetsOf = (definition: Definition) => (definition.Sheets ?? []).map((s) => ({ SheetId: s.SheetId, Name: s.Name }));
