"use client";

import { useEffect } from "react";
import { toast } from "sonner";
import { FLASH_COOKIE } from "@/lib/flash";

/** Shows, once, the outcome a server action left before redirecting here, then forgets it. */
export function FlashToast({ message }: { message: string | null }) {
  useEffect(() => {
    if (!message) return;
    toast.success(message);
    document.cookie = `${FLASH_COOKIE}=; Max-Age=0; path=/; SameSite=Lax`;
  }, [message]);
  return null;
}
