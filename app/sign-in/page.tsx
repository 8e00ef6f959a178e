import Image from "next/image";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { Button } from "@/components/ui/button";
import { safeCallbackUrl } from "@/lib/callback-url";
import { currentActor } from "@/server/auth/session";
import { oidcSettings } from "@/server/auth/oidc";
import { signInWithOidc } from "./actions";

export const metadata: Metadata = { title: "Sign in" };

const oidcErrors: Record<string, string> = {
  AccessDenied: "That account is not a member of any organization here, or its e-mail is not verified.",
  OidcUnverified: "Your identity provider did not confirm your e-mail address, so it cannot sign you in here.",
  OidcUnknown: "No user of this console has the e-mail your identity provider gave. Ask an admin of your organization to add you.",
  OidcDeactivated: "This account has been deactivated. Ask an admin of your organization.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  if (await currentActor()) redirect(callbackUrl);
  const oidc = oidcSettings();
  const oidcError = params.error ? (oidcErrors[params.error] ?? "Sign-in failed. Try again.") : null;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <Image src="/logo.svg" alt="" width={40} height={40} priority unoptimized className="mb-3" />
        <h1 className="text-xl font-semibold">Sign in to Clean Rooms Console</h1>
        <p className="mb-6 mt-1 text-sm text-slate-600">Analyse combined data without sharing raw rows.</p>
        {oidcError && (
          <p role="alert" className="mb-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {oidcError}
          </p>
        )}
        <SignInForm callbackUrl={callbackUrl} />
        {oidc && (
          <form action={signInWithOidc} className="mt-4 border-t border-slate-200 pt-4">
            <input type="hidden" name="callbackUrl" value={callbackUrl} />
            <Button type="submit" variant="secondary" className="w-full">
              Sign in with {oidc.name}
            </Button>
          </form>
        )}
      </div>
    </main>
  );
}
