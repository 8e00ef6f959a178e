import { z } from "zod";
import { CloudError } from "../../errors";
import { operation } from "../../protocols/aws-json";
import type { SignedRequest } from "../../sigv4/verify";
import { decodeToken, encodeToken } from "../../validation";
import { page, storageDescriptor } from "./shapes";
import * as store from "./store";

// Partitions of a table (Hive-style `key=value/` folders): one per list of values for the table's
// PartitionKeys, each with its own S3 location. Crawlers register them; protected queries read
// the registered partitions' files, with the partition values as columns.

const notFound = (what: string) => new CloudError(400, "EntityNotFoundException", `${what} not found.`);
const epoch = (date: Date | string) => new Date(date).getTime() / 1000;
const values = z.array(z.string().max(1024)).min(1).max(100);
const partitionInput = z.looseObject({
  Values: values,
  StorageDescriptor: storageDescriptor.optional(),
  Parameters: z.record(z.string(), z.string()).optional(),
});
const tableName = { CatalogId: z.string().optional(), DatabaseName: z.string().min(1), TableName: z.string().min(1) };

function partitionShape(row: store.GluePartitionRow) {
  return { ...row.input, Values: row.values, DatabaseName: row.databaseName, TableName: row.tableName, CreationTime: epoch(row.createTime), CatalogId: row.accountId };
}

/** The partition keys a table declares; a table without any has no partitions. */
export function partitionKeysOf(input: Record<string, unknown>): { Name: string; Type?: string }[] {
  return ((input.PartitionKeys as { Name: string; Type?: string }[] | undefined) ?? []).filter((k) => typeof k?.Name === "string");
}

async function requireTable(caller: SignedRequest, databaseName: string, name: string) {
  const table = await store.findTable(store.catalogOf(caller), databaseName.toLowerCase(), name.toLowerCase());
  if (!table) throw notFound(`Table ${name}`);
  return table;
}

function checkValues(table: store.GlueTableRow, given: string[]): void {
  const keys = partitionKeysOf(table.input);
  if (given.length !== keys.length) throw new CloudError(400, "InvalidInputException", `Table ${table.name} has ${keys.length} partition keys; ${given.length} values were given.`);
  if (given.some((v) => v.includes("\u0001"))) throw new CloudError(400, "InvalidInputException", "Partition values may not contain the character U+0001.");
}

/**
 * GetPartitions' Expression, in the subset the local cloud evaluates: comparisons of partition
 * keys with literals (`year = '2024' AND region = 'eu'`); anything else is refused, not ignored.
 */
function expressionFilter(expression: string | undefined, keys: string[]): (values: string[]) => boolean {
  if (!expression?.trim()) return () => true;
  const tests = expression.split(/\s+AND\s+/i).map((part) => {
    const m = /^\s*`?(\w+)`?\s*=\s*(?:'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?))\s*$/.exec(part);
    const index = m ? keys.findIndex((k) => k.toLowerCase() === m[1]!.toLowerCase()) : -1;
    if (!m || index === -1)
      throw new CloudError(
        400,
        "InvalidInputException",
        `Expression: the local cloud evaluates comparisons of partition keys with literals joined by AND (key = 'value'); "${part.trim()}" is not one.`,
      );
    const wanted = m[2] !== undefined ? m[2].replace(/''/g, "'") : m[3]!;
    return (values: string[]) => values[index] === wanted;
  });
  return (values) => tests.every((test) => test(values));
}

export const partitionOperations = {
  CreatePartition: operation(z.looseObject({ ...tableName, PartitionInput: partitionInput }), async ({ DatabaseName, TableName, PartitionInput }, caller) => {
    const table = await requireTable(caller, DatabaseName, TableName);
    checkValues(table, PartitionInput.Values);
    const added = await store.putPartition({ ...store.catalogOf(caller), databaseName: table.databaseName, tableName: table.name, values: PartitionInput.Values, input: PartitionInput });
    if (!added) throw new CloudError(400, "AlreadyExistsException", "Partition already exists.");
    return {};
  }),
  BatchCreatePartition: operation(z.looseObject({ ...tableName, PartitionInputList: z.array(partitionInput).min(1).max(100) }), async ({ DatabaseName, TableName, PartitionInputList }, caller) => {
    const table = await requireTable(caller, DatabaseName, TableName);
    const Errors = [];
    for (const input of PartitionInputList) {
      try {
        checkValues(table, input.Values);
        if (!(await store.putPartition({ ...store.catalogOf(caller), databaseName: table.databaseName, tableName: table.name, values: input.Values, input })))
          throw new CloudError(400, "AlreadyExistsException", "Partition already exists.");
      } catch (error) {
        if (!(error instanceof CloudError)) throw error;
        Errors.push({ PartitionValues: input.Values, ErrorDetail: { ErrorCode: error.code, ErrorMessage: error.message } });
      }
    }
    return { Errors };
  }),
  GetPartition: operation(z.looseObject({ ...tableName, PartitionValues: values }), async ({ DatabaseName, TableName, PartitionValues }, caller) => {
    const table = await requireTable(caller, DatabaseName, TableName);
    const row = await store.findPartition(store.catalogOf(caller), table.databaseName, table.name, PartitionValues);
    if (!row) throw notFound("Partition");
    return { Partition: partitionShape(row) };
  }),
  GetPartitions: operation(z.looseObject({ ...tableName, Expression: z.string().max(2048).optional(), ...page }), async ({ DatabaseName, TableName, Expression, NextToken, MaxResults }, caller) => {
    const table = await requireTable(caller, DatabaseName, TableName);
    const matches = expressionFilter(
      Expression,
      partitionKeysOf(table.input).map((k) => k.Name),
    );
    const limit = MaxResults ?? 100;
    const shown: store.GluePartitionRow[] = [];
    let after = decodeToken(NextToken);
    for (;;) {
      const rows = await store.listPartitions(store.catalogOf(caller), table.databaseName, table.name, after, 500);
      for (const row of rows) if (shown.length <= limit && matches(row.values)) shown.push(row);
      if (rows.length < 500 || shown.length > limit) break;
      after = rows.at(-1)!.valuesKey;
    }
    const more = shown.length > limit;
    const partitions = shown.slice(0, limit);
    return { Partitions: partitions.map(partitionShape), ...(more ? { NextToken: encodeToken(partitions.at(-1)!.valuesKey) } : {}) };
  }),
  BatchGetPartition: operation(
    z.looseObject({
      ...tableName,
      PartitionsToGet: z
        .array(z.looseObject({ Values: values }))
        .min(1)
        .max(1000),
    }),
    async ({ DatabaseName, TableName, PartitionsToGet }, caller) => {
      const table = await requireTable(caller, DatabaseName, TableName);
      const Partitions = [];
      const UnprocessedKeys = [];
      for (const wanted of PartitionsToGet) {
        const row = await store.findPartition(store.catalogOf(caller), table.databaseName, table.name, wanted.Values);
        if (row) Partitions.push(partitionShape(row));
        else UnprocessedKeys.push({ Values: wanted.Values });
      }
      return { Partitions, UnprocessedKeys };
    },
  ),
  DeletePartition: operation(z.looseObject({ ...tableName, PartitionValues: values }), async ({ DatabaseName, TableName, PartitionValues }, caller) => {
    const table = await requireTable(caller, DatabaseName, TableName);
    if (!(await store.deletePartition(store.catalogOf(caller), table.databaseName, table.name, PartitionValues))) throw notFound("Partition");
    return {};
  }),
};
