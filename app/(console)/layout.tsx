import Image from "next/image";
import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { FlashToast } from "@/components/shell/flash-toast";
import { OrganizationGuard } from "@/components/shell/organization-guard";
import { ORGANIZATION_META } from "@/lib/organization-header";
import { QueryProvider } from "@/components/query-provider";
import { SidebarNav } from "@/components/shell/sidebar-nav";
import { UserMenu } from "@/components/shell/user-menu";
import { FLASH_COOKIE } from "@/lib/flash";
import { navItems } from "@/lib/navigation";
import { can, roleLabels } from "@/lib/permissions";
import { currentActor } from "@/server/auth/session";

// The signed-in shell. A layout is not a guard: every page calls requirePage itself, which sends a
// signed-out visitor to sign-in with the page as callbackUrl (the layout does not know the path).
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const actor = await currentActor();
  if (!actor) return children;
  const items = navItems.filter((item) => can(actor.role, item.permission));
  const flash = (await cookies()).get(FLASH_COOKIE)?.value;
  return (
    <div className="flex min-h-screen">
      <meta name={ORGANIZATION_META} content={actor.orgId} />
      <OrganizationGuard />
      <aside className="w-60 shrink-0 border-r border-slate-200 bg-white px-3 py-4">
        <div className="mb-6 px-3">
          <p className="flex items-center gap-2 text-xs font-semibold uppercase tracking-wide text-slate-500">
            <Image src="/logo.svg" alt="" width={24} height={24} priority unoptimized />
            Clean Rooms Console
          </p>
          <p className="mt-1 text-sm font-semibold" data-testid="organization-name">
            {actor.orgName}
          </p>
          <p className="text-xs text-slate-500">Account {actor.awsAccountId}</p>
        </div>
        <SidebarNav items={items} />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between border-b border-slate-200 bg-white px-6 py-2">
          <p className="text-sm text-slate-600">
            Signed in as <span className="font-medium">{roleLabels[actor.role]}</span>
          </p>
          <UserMenu name={actor.name} email={actor.email} role={actor.role} />
        </header>
        <main className="flex-1 px-8 py-6">
          <QueryProvider>{children}</QueryProvider>
          <FlashToast message={flash ? decodeURIComponent(flash) : null} />
        </main>
      </div>
    </div>
  );
}
