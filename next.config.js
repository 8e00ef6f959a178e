/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM packages are loaded by Node at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "@duckdb/node-api", "@duckdb/node-bindings"],
  // forbidden() answers 403 with the forbidden page when a role lacks a permission.
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  // Every page and route: never framed (clickjacking), never sniffed, no plugins, no <base>
  // rewriting where scripts load from, and the path and query kept from other sites; reached
  // over HTTPS through a proxy (X-Forwarded-Proto: https), HTTPS only from then on.
  async headers() {
    return [
      {
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: "https" }],
        headers: [{ key: "Strict-Transport-Security", value: "max-age=31536000" }],
      },
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
