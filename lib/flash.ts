/** The cookie that carries a server action's outcome across its redirect, shown once as a toast. */
export const FLASH_COOKIE = "flash";
