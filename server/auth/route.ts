import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { can, type Permission } from "@/lib/permissions";
import { log } from "@/server/log";
import { isOperatorRequest } from "@/server/operator";
import { checkPageOrganization, checkSameOrigin } from "./origin";
import { currentActor, type Actor } from "./session";

/** Operator access names the organization the request is about; its token must be that organization's. */
type OperatorAccess = { operator: (request: Request) => string };
type Access = { permission: Permission } | { public: true } | OperatorAccess;
type Handler<A> = (request: Request, actor: A) => Promise<Response>;

/**
 * The one wrapper for route handlers: checks the session and the permission (or says explicitly
 * that a route is public, or for the operator's local tooling), and turns errors into JSON with
 * the right status.
 */
export function route(access: { public: true } | OperatorAccess, handler: Handler<null>): (request: Request) => Promise<Response>;
export function route(access: { permission: Permission }, handler: Handler<Actor>): (request: Request) => Promise<Response>;
export function route(access: Access, handler: Handler<Actor> | Handler<null>) {
  const run = handler as Handler<Actor | null>;
  return async (request: Request): Promise<Response> => {
    try {
      if ("public" in access) return await run(request, null);
      if ("operator" in access) {
        if (!isOperatorRequest(request, access.operator(request))) throw new AppError("unauthenticated", "This endpoint needs the organization's operator token.");
        return await run(request, null);
      }
      // A request that changes something must come from the console's own page, for the session's organization.
      const changes = !["GET", "HEAD", "OPTIONS"].includes(request.method);
      if (changes) checkSameOrigin(request.headers);
      const actor = await currentActor();
      if (!actor) throw new AppError("unauthenticated", "Sign in first.");
      if (!can(actor.role, access.permission)) throw new AppError("forbidden", "Your role does not allow this.");
      if (changes) checkPageOrganization(request.headers, actor.orgId, { required: true });
      return await run(request, actor);
    } catch (error) {
      if (error instanceof AppError) {
        // Throttled by AWS even after the SDK's own retries: the polling pages double their wait.
        const headers = error.code === "rate_limited" ? { "Retry-After": "5" } : undefined;
        return NextResponse.json({ error: { code: error.code, message: error.message, ...(error.fieldErrors ? { fieldErrors: error.fieldErrors } : {}) } }, { status: error.status, headers });
      }
      log("error", "route handler failed", { path: new URL(request.url).pathname, error });
      return NextResponse.json({ error: { code: "internal", message: "Something went wrong on our side." } }, { status: 500 });
    }
  };
}
