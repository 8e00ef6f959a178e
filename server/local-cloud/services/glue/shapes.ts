import { z } from "zod";

// The parts of Glue's input shapes the local cloud reads; other members pass through untouched.
const name = z.string().min(1).max(255);

export const column = z.looseObject({ Name: name, Type: z.string().max(131072).optional(), Comment: z.string().max(255).optional() });

export const storageDescriptor = z.looseObject({
  Columns: z.array(column).optional(),
  Location: z.string().max(2056).optional(),
  InputFormat: z.string().max(128).optional(),
  OutputFormat: z.string().max(128).optional(),
  SerdeInfo: z.looseObject({ Name: z.string().optional(), SerializationLibrary: z.string().optional(), Parameters: z.record(z.string(), z.string()).optional() }).optional(),
});

export const tableInput = z.looseObject({
  Name: name,
  Description: z.string().max(2048).optional(),
  Owner: z.string().optional(),
  StorageDescriptor: storageDescriptor.optional(),
  PartitionKeys: z.array(column).optional(),
  TableType: z.string().max(255).optional(),
  Parameters: z.record(z.string(), z.string()).optional(),
});

export const databaseInput = z.looseObject({
  Name: name,
  Description: z.string().max(2048).optional(),
  LocationUri: z.string().max(1024).optional(),
  Parameters: z.record(z.string(), z.string()).optional(),
});

export const page = { NextToken: z.string().optional(), MaxResults: z.number().int().min(1).max(1000).optional() };

export const crawlerTargets = z.looseObject({
  S3Targets: z.array(z.looseObject({ Path: z.string().min(1), Exclusions: z.array(z.string()).optional() })).optional(),
});

export const crawlerInput = z.looseObject({
  Name: name,
  Role: z.string().min(1),
  DatabaseName: z.string().optional(),
  Description: z.string().max(2048).optional(),
  Targets: crawlerTargets,
  TablePrefix: z.string().max(128).optional(),
  Schedule: z.string().optional(),
  SchemaChangePolicy: z
    .looseObject({ UpdateBehavior: z.enum(["LOG", "UPDATE_IN_DATABASE"]).optional(), DeleteBehavior: z.enum(["LOG", "DELETE_FROM_DATABASE", "DEPRECATE_IN_DATABASE"]).optional() })
    .optional(),
  Tags: z.record(z.string(), z.string()).optional(),
});
