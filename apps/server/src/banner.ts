import type { Config } from './config.ts'

/** What `pnpm start` prints once listening: where to go, as Vite prints its "Local:" and "Network:" lines. */
export function banner(config: Config, generatedToken: string | undefined): string {
  const { publicUrl, lanUrls } = config
  const database = config.databaseUrl ? 'Postgres' : `embedded PGlite in ${config.dataDir}`
  const local = `${config.tls ? 'https' : 'http'}://localhost:${config.port}`
  const lines = ['', `  Secura Chat is running at ${publicUrl}`, `  Local:    ${local}`]
  for (const url of lanUrls) lines.push(`  Network:  ${url}`)
  if (config.publicUrlIsLoopback)
    lines.push(
      `  Note: invitations point at ${publicUrl}, which phones cannot open.`,
      '        For guests on this network: pnpm start --lan (or set PUBLIC_URL to an address they reach).',
    )
  lines.push(`  Database: ${database}`, `  Organizer console: ${publicUrl}/admin`)
  if (generatedToken)
    lines.push(
      `  Admin token (generated now, shown once${config.adminTokenFile ? `; also in ${config.adminTokenFile}` : ''}): ${generatedToken}`,
      '  Replace it with: pnpm admin token --rotate',
    )
  else if (config.adminToken) lines.push('  Admin token: the ADMIN_TOKEN you set')
  else if (config.adminTokenFile) lines.push(`  Admin token: in ${config.adminTokenFile}`)
  else
    lines.push(
      '  Admin token: the one printed at the first start (pnpm admin token --rotate makes a new one)',
    )
  if (config.tls?.caFile)
    lines.push(
      `  HTTPS with a local certificate authority: ${config.tls.caFile}`,
      `  Trust it once per device: open ${publicUrl}/ca.crt and install it (see docs/venue.md).`,
    )
  lines.push(`  API docs: ${publicUrl}/docs`, '')
  return lines.join('\n')
}
