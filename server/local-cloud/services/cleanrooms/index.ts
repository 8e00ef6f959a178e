import { restJsonService } from "../../protocols/rest-json";
import { analysisTemplateRoutes } from "./analysis-templates";
import { privacyBudgetTemplateRoutes } from "./privacy-budget-templates";
import { privacyBudgetRoutes } from "./privacy-budgets";
import { associationRoutes } from "./associations";
import { collaborationRoutes } from "./collaborations";
import { configuredTableRoutes } from "./configured-tables";
import { membershipRoutes } from "./memberships";
import { protectedQueryRoutes } from "./protected-queries/routes";
import { schemaRoutes } from "./schemas";
import { tagRoutes } from "./tags";

// Clean Rooms over restJson1: collaborations, memberships, configured tables and their rules,
// associations, schemas, analysis templates, tags and protected queries, with AWS's visibility
// between accounts.
export const cleanrooms = restJsonService("cleanrooms", [
  ...collaborationRoutes,
  ...membershipRoutes,
  ...configuredTableRoutes,
  ...associationRoutes,
  ...schemaRoutes,
  ...analysisTemplateRoutes,
  ...privacyBudgetTemplateRoutes,
  ...privacyBudgetRoutes,
  ...tagRoutes,
  ...protectedQueryRoutes,
]);
