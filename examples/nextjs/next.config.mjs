/** @type {import('next').NextConfig} */
const nextConfig = {
  // The example is small; keep the build quiet and deterministic.
  eslint: { ignoreDuringBuilds: true },
  experimental: {
    // instrumentation.ts opens and seeds the database when the server starts.
    instrumentationHook: true,
    // Loaded from node_modules at run time, not bundled: PGlite reads its WebAssembly and data
    // files next to its own modules, and Prisma's runtime loads its query compiler likewise.
    serverComponentsExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@prisma/client"],
  },
};

export default nextConfig;
