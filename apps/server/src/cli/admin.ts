// `pnpm admin …`: start an event from the terminal, without the web console.
import { parseArgs } from 'node:util'
import { CreateInvitationBody, compile, Role } from '@secura/shared'
import qrcode from 'qrcode-terminal'
import { loadConfig } from '../config.ts'
import { migrate } from '../db/migrator.ts'
import { createDatabase } from '../db/prisma.ts'
import { AppError } from '../errors.ts'
import { createEventsService } from '../modules/events/events.service.ts'
import { rotateAdminToken } from '../modules/identity/admin-token.ts'
import { createInvitationsService } from '../modules/invitations/invitations.service.ts'
import { noPublisher } from '../modules/ports.ts'

const USAGE = `Usage:
  pnpm admin create-event "<name>"
  pnpm admin invite <eventId> [--role organizer|moderator|guest] [--uses N] [--name "<display name>"]
  pnpm admin events
  pnpm admin token --rotate                  replaces the generated admin token (prints the new one)

  --lan: make invitation links for this machine's address on the venue network, as pnpm start --lan does`

const roleCheck = compile(Role)

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      uses: { type: 'string' },
      name: { type: 'string' },
      lan: { type: 'boolean' },
      https: { type: 'boolean' },
      rotate: { type: 'boolean' },
    },
  })
  if (!command || !['create-event', 'invite', 'events', 'token'].includes(command)) {
    console.error(USAGE)
    return 2
  }

  // The same PUBLIC_URL as the server started with the same flags (`--lan`), without binding anything.
  const config = loadConfig(process.env, { lan: values.lan, https: values.https })
  if (command === 'token' && config.adminToken) {
    console.error('ADMIN_TOKEN is set in the environment: that is the admin token; change it there.')
    return 1
  }
  if (command === 'token' && !values.rotate) {
    console.error('The admin token is kept only as a hash. Make a new one with: pnpm admin token --rotate')
    return 2
  }
  const db = await createDatabase({ databaseUrl: config.databaseUrl, embeddedDir: config.dataDir })
  try {
    await migrate(db.sql)
    if (command === 'token') {
      const token = await rotateAdminToken(db.sql, config.adminTokenFile)
      console.log(`New admin token (shown once; the old one no longer works, on every instance):\n  ${token}`)
      return 0
    }
    // Sockets live in the server process; the CLI changes data only.
    const events = createEventsService({
      prisma: db.prisma,
      publisher: noPublisher,
      presence: { online: async () => new Set<string>(), away: async () => new Set<string>() },
      pageMax: config.limits.pageMax,
    })
    const invitations = createInvitationsService({
      prisma: db.prisma,
      publisher: noPublisher,
      publicUrl: config.publicUrl,
    })

    if (command === 'events') {
      for (const e of (await events.listEvents()).events) console.log(`${e.id}  ${e.name}`)
      return 0
    }
    if (command === 'create-event') {
      const name = positionals.join(' ').trim()
      if (!name) throw new AppError('VALIDATION', 'create-event needs a name')
      const { event } = await events.createEvent({ name })
      console.log(
        `Event created: ${event.name}\n  id: ${event.id}\n\nInvite an organizer with:\n  pnpm admin invite ${event.id} --role organizer`,
      )
      return 0
    }

    const [eventId] = positionals
    if (!eventId) throw new AppError('VALIDATION', 'invite needs an event id')
    const role = values.role ?? 'guest'
    if (!roleCheck.check(role))
      throw new AppError('VALIDATION', '--role must be organizer, moderator or guest')
    const body = {
      role,
      ...(values.uses !== undefined && { maxUses: Number(values.uses) }),
      ...(values.name !== undefined && { displayName: values.name }),
    }
    const parsed = compile(CreateInvitationBody).parse(body)
    if (!parsed.ok)
      throw new AppError(
        'VALIDATION',
        `Invalid invitation: ${parsed.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
      )
    const { invitation, url, publicUrlIsLoopback } = await invitations.createInvitation(
      { kind: 'admin' },
      eventId,
      parsed.value,
    )
    console.log(`Invitation for ${invitation.role}s, ${invitation.maxUses} use(s):\n  ${url}\n`)
    if (publicUrlIsLoopback)
      console.error(
        `Warning: ${config.publicUrl} opens only on this machine; phones cannot open this invitation.\n` +
          '  Start the server with --lan and make invitations with --lan, or set PUBLIC_URL to an address guests reach.',
      )
    qrcode.generate(url, { small: true }, (qr) => console.log(qr))
    return 0
  } finally {
    await db.close()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof AppError ? `${error.code}: ${error.message}` : error)
    process.exit(1)
  },
)
