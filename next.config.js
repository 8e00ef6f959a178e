/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM packages are loaded by Node at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "@duckdb/node-api", "@duckdb/node-bindings"],
  // forbidden() answers 403 with the forbidden page when a role lacks a permission.
  experimental: { authInterrupts: true },
  poweredByHeader: false,
};

export default nextConfig;
