import type { DefaultSession } from "next-auth";
import type { Role } from "@/lib/permissions";

// The session carries who the user is, their organization and their role.
declare module "next-auth" {
  interface Session {
    user: { id: string; organizationId: string; role: Role; sessionId?: string } & DefaultSession["user"];
  }
  interface User {
    organizationId?: string;
    role?: Role;
  }
}

declare module "@auth/core/jwt" {
  interface JWT {
    userId?: string;
    organizationId?: string;
    role?: Role;
    /** The console session in the store (server/users/sessions.ts) this cookie belongs to. */
    sessionId?: string;
  }
}
