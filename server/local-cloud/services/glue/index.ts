import { CloudError } from "../../errors";
import { awsJsonService, type JsonOperation } from "../../protocols/aws-json";
import { catalogOperations } from "./catalog";
import { crawlerOperations } from "./crawlers";
import { partitionOperations } from "./partitions";

// Glue over awsJson1.1: the Data Catalog (databases, tables, partitions) and crawlers, per account.

/** Each account reaches only its own Data Catalog: a CatalogId naming another is refused. */
function ownCatalogOnly(operations: Record<string, JsonOperation>): Record<string, JsonOperation> {
  return Object.fromEntries(
    Object.entries(operations).map(([name, op]) => [
      name,
      {
        input: op.input,
        run(input, caller) {
          const catalogId = (input as { CatalogId?: unknown }).CatalogId;
          if (catalogId !== undefined && catalogId !== caller.accountId)
            throw new CloudError(400, "AccessDeniedException", `Catalog ${String(catalogId)} is not the Data Catalog of account ${caller.accountId}.`);
          return op.run(input, caller);
        },
      },
    ]),
  );
}

export const glue = awsJsonService("glue", "AWSGlue", ownCatalogOnly({ ...catalogOperations, ...partitionOperations, ...crawlerOperations }));
