import { restJsonService } from "../../protocols/rest-json";
import { accountRoutes } from "./account";
import { analysisRoutes } from "./analyses";
import { dataRoutes } from "./data";

// QuickSight over restJson1: the subscription and users, S3 data sources and their data sets,
// analyses and dashboards from definitions. Every resource belongs to the caller's own account.
export const quicksight = restJsonService("quicksight", [...accountRoutes, ...dataRoutes, ...analysisRoutes], { code: "InvalidParameterValueException", extra: () => ({}) });
