import { restJsonService } from "../../protocols/rest-json";
import { analysisTemplateRoutes } from "./analysis-templates";
import { associationRoutes } from "./associations";
import { collaborationRoutes } from "./collaborations";
import { configuredTableRoutes } from "./configured-tables";
import { membershipRoutes } from "./memberships";
import { schemaRoutes } from "./schemas";
import { tagRoutes } from "./tags";

// Clean Rooms over restJson1: collaborations, memberships, configured tables and their rules,
// associations, schemas, analysis templates and tags, with AWS's visibility between accounts.
export const cleanrooms = restJsonService("cleanrooms", [
  ...collaborationRoutes,
  ...membershipRoutes,
  ...configuredTableRoutes,
  ...associationRoutes,
  ...schemaRoutes,
  ...analysisTemplateRoutes,
  ...tagRoutes,
]);
