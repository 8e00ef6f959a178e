import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Toaster } from "sonner";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Clean Rooms Console", template: "%s · Clean Rooms Console" },
  description: "Analyse combined customer data across organizations without sharing raw rows.",
  icons: { icon: "/favicon.svg" },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        {children}
        <Toaster position="top-right" closeButton />
      </body>
    </html>
  );
}
