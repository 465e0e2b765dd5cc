// Compiles the server to plain JavaScript for the image (`node dist/server.js`, no tsx loader at run time):
// our sources, the generated Prisma client and the workspace's shared protocol are bundled; every package
// from node_modules stays an import, resolved from the release's production dependencies.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

const outdir = new URL('./dist/', import.meta.url).pathname
rmSync(outdir, { recursive: true, force: true })

await build({
  absWorkingDir: new URL('.', import.meta.url).pathname,
  entryPoints: {
    server: 'src/server.ts',
    admin: 'src/cli/admin.ts',
    migrate: 'src/cli/migrate.ts',
    verify: 'src/cli/verify.ts',
    // The image decoder's own process (modules/attachments/image.ts forks it beside server.js).
    'render-process': 'src/modules/attachments/render-process.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  plugins: [
    {
      name: 'external-packages',
      setup(b) {
        // Bare imports are packages: external, except the workspace's own TypeScript packages.
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@secura/') ? undefined : { path: args.path, external: true },
        )
      },
    },
  ],
})
console.log(`server compiled to ${outdir}`)
