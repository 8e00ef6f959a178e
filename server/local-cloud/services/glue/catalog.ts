import { z } from "zod";
import { InvalidPattern, safePattern, type SafePattern } from "../../patterns";
import { CloudError } from "../../errors";
import { operation } from "../../protocols/aws-json";
import { decodeToken, encodeToken } from "../../validation";
import { databaseInput, page, tableInput } from "./shapes";
import * as store from "./store";

// Databases and tables of each account's Data Catalog. Glue keeps names in lower case.

const notFound = (what: string) => new CloudError(400, "EntityNotFoundException", `${what} not found.`);
const epoch = (date: Date | string) => new Date(date).getTime() / 1000;
const catalogId = z.string().optional();

function databaseShape(row: store.GlueDatabaseRow) {
  return { ...row.input, Name: row.name, CreateTime: epoch(row.createTime), CreateTableDefaultPermissions: [], CatalogId: row.accountId };
}

export function tableShape(row: store.GlueTableRow) {
  return {
    ...row.input,
    Name: row.name,
    DatabaseName: row.databaseName,
    CreateTime: epoch(row.createTime),
    UpdateTime: epoch(row.updateTime),
    CreatedBy: row.createdBy,
    IsRegisteredWithLakeFormation: false,
    CatalogId: row.accountId,
    VersionId: String(row.versionId),
  };
}

async function requireDatabase(catalog: store.Catalog, name: string) {
  const database = await store.findDatabase(catalog, name.toLowerCase());
  if (!database) throw notFound(`Database ${name}`);
  return database;
}

export const catalogOperations = {
  CreateDatabase: operation(z.looseObject({ CatalogId: catalogId, DatabaseInput: databaseInput }), async ({ DatabaseInput }, caller) => {
    const name = DatabaseInput.Name.toLowerCase();
    if (!(await store.insertDatabase({ ...store.catalogOf(caller), name, input: { ...DatabaseInput, Name: name } }))) {
      throw new CloudError(400, "AlreadyExistsException", `Database already exists.`);
    }
    return {};
  }),
  GetDatabase: operation(z.looseObject({ CatalogId: catalogId, Name: z.string().min(1) }), async ({ Name }, caller) => ({
    Database: databaseShape(await requireDatabase(store.catalogOf(caller), Name)),
  })),
  GetDatabases: operation(z.looseObject({ CatalogId: catalogId, ...page }), async ({ NextToken, MaxResults }, caller) => {
    const limit = MaxResults ?? 100;
    const rows = await store.listDatabases(store.catalogOf(caller), decodeToken(NextToken), limit + 1);
    const more = rows.length > limit;
    const shown = rows.slice(0, limit);
    return { DatabaseList: shown.map(databaseShape), ...(more ? { NextToken: encodeToken(shown.at(-1)!.name) } : {}) };
  }),
  UpdateDatabase: operation(z.looseObject({ CatalogId: catalogId, Name: z.string().min(1), DatabaseInput: databaseInput }), async ({ Name, DatabaseInput }, caller) => {
    const name = Name.toLowerCase();
    if (DatabaseInput.Name.toLowerCase() !== name) throw new CloudError(400, "InvalidInputException", "A database cannot be renamed: DatabaseInput.Name must be its name.");
    if (!(await store.updateDatabaseInput(store.catalogOf(caller), name, { ...DatabaseInput, Name: name }))) throw notFound(`Database ${Name}`);
    return {};
  }),
  DeleteDatabase: operation(z.looseObject({ CatalogId: catalogId, Name: z.string().min(1) }), async ({ Name }, caller) => {
    if (!(await store.deleteDatabase(store.catalogOf(caller), Name.toLowerCase()))) throw notFound(`Database ${Name}`);
    return {};
  }),

  CreateTable: operation(z.looseObject({ CatalogId: catalogId, DatabaseName: z.string().min(1), TableInput: tableInput }), async ({ DatabaseName, TableInput }, caller) => {
    const database = await requireDatabase(store.catalogOf(caller), DatabaseName);
    const name = TableInput.Name.toLowerCase();
    const input = { ...TableInput, Name: name };
    if (!(await store.insertTable({ ...store.catalogOf(caller), databaseName: database.name, name, input, createdBy: `arn:aws:iam::${caller.accountId}:root` }))) {
      throw new CloudError(400, "AlreadyExistsException", `Table already exists.`);
    }
    return {};
  }),
  GetTable: operation(z.looseObject({ CatalogId: catalogId, DatabaseName: z.string().min(1), Name: z.string().min(1) }), async ({ DatabaseName, Name }, caller) => {
    const database = await requireDatabase(store.catalogOf(caller), DatabaseName);
    const table = await store.findTable(store.catalogOf(caller), database.name, Name.toLowerCase());
    if (!table) throw notFound(`Table ${Name}`);
    return { Table: tableShape(table) };
  }),
  GetTables: operation(
    z.looseObject({ CatalogId: catalogId, DatabaseName: z.string().min(1), Expression: z.string().optional(), ...page }),
    async ({ DatabaseName, Expression, NextToken, MaxResults }, caller) => {
      const database = await requireDatabase(store.catalogOf(caller), DatabaseName);
      const limit = MaxResults ?? 100;
      // Expression is a regular expression over table names, as in Glue ("*" means any).
      let pattern: SafePattern | null = null;
      if (Expression) {
        try {
          pattern = safePattern(Expression.replace(/(^|[^.])\*/g, "$1.*"), { caseInsensitive: true });
        } catch (error) {
          if (error instanceof InvalidPattern) throw new CloudError(400, "InvalidInputException", `Expression: ${error.message}`);
          throw error;
        }
      }
      const shown: store.GlueTableRow[] = [];
      let after = decodeToken(NextToken);
      let more = false;
      while (shown.length <= limit) {
        const rows = await store.listTables(store.catalogOf(caller), database.name, after, 200);
        for (const row of rows) if (!pattern || pattern.matches(row.name)) shown.push(row);
        if (rows.length < 200) break;
        after = rows.at(-1)!.name;
      }
      if (shown.length > limit) {
        more = true;
        shown.length = limit;
      }
      return { TableList: shown.map(tableShape), ...(more ? { NextToken: encodeToken(shown.at(-1)!.name) } : {}) };
    },
  ),
  UpdateTable: operation(z.looseObject({ CatalogId: catalogId, DatabaseName: z.string().min(1), TableInput: tableInput }), async ({ DatabaseName, TableInput }, caller) => {
    const database = await requireDatabase(store.catalogOf(caller), DatabaseName);
    const name = TableInput.Name.toLowerCase();
    if (!(await store.updateTableInput(store.catalogOf(caller), database.name, name, { ...TableInput, Name: name }))) throw notFound(`Table ${TableInput.Name}`);
    return {};
  }),
  GetTableVersions: operation(
    z.looseObject({ CatalogId: catalogId, DatabaseName: z.string().min(1), TableName: z.string().min(1), ...page }),
    async ({ DatabaseName, TableName, NextToken, MaxResults }, caller) => {
      const database = await requireDatabase(store.catalogOf(caller), DatabaseName);
      const table = await store.findTable(store.catalogOf(caller), database.name, TableName.toLowerCase());
      if (!table) throw notFound(`Table ${TableName}`);
      // The current definition first, then the ones it replaced, newest first.
      const earlier = (await store.listTableVersions(store.catalogOf(caller), database.name, table.name)).map((v) => ({ ...table, input: v.input, versionId: v.versionId, updateTime: v.updateTime }));
      const all = [table, ...earlier].map((row) => ({ Table: tableShape(row), VersionId: String(row.versionId) }));
      const start = NextToken ? all.findIndex((v) => v.VersionId === decodeToken(NextToken)) + 1 : 0;
      const limit = MaxResults ?? 100;
      const shown = all.slice(start, start + limit);
      return { TableVersions: shown, ...(start + limit < all.length ? { NextToken: encodeToken(shown.at(-1)!.VersionId) } : {}) };
    },
  ),
  BatchDeleteTable: operation(
    z.looseObject({ CatalogId: catalogId, DatabaseName: z.string().min(1), TablesToDelete: z.array(z.string().min(1)).min(1).max(100) }),
    async ({ DatabaseName, TablesToDelete }, caller) => {
      const database = await requireDatabase(store.catalogOf(caller), DatabaseName);
      const Errors = [];
      for (const name of TablesToDelete) {
        if (!(await store.deleteTable(store.catalogOf(caller), database.name, name.toLowerCase()))) {
          Errors.push({ TableName: name, ErrorDetail: { ErrorCode: "EntityNotFoundException", ErrorMessage: `Table ${name} not found.` } });
        }
      }
      return { Errors };
    },
  ),
  DeleteTable: operation(z.looseObject({ CatalogId: catalogId, DatabaseName: z.string().min(1), Name: z.string().min(1) }), async ({ DatabaseName, Name }, caller) => {
    const database = await requireDatabase(store.catalogOf(caller), DatabaseName);
    if (!(await store.deleteTable(store.catalogOf(caller), database.name, Name.toLowerCase()))) throw notFound(`Table ${Name}`);
    return {};
  }),
};
