import { awsJsonService } from "../../protocols/aws-json";
import { catalogOperations } from "./catalog";
import { crawlerOperations } from "./crawlers";

// Glue over awsJson1.1: the Data Catalog (databases, tables) and crawlers, per account.
export const glue = awsJsonService("glue", "AWSGlue", { ...catalogOperations, ...crawlerOperations });
