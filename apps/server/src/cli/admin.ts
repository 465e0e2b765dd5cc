// `pnpm admin …`: start an event from the terminal, without the web console.
import { parseArgs } from 'node:util'
import { CreateInvitationBody, compile, Role } from '@secura/shared'
import qrcode from 'qrcode-terminal'
import { loadConfig } from '../config.ts'
import { migrate } from '../db/migrator.ts'
import { createDatabase } from '../db/prisma.ts'
import { AppError } from '../errors.ts'
import { createEventsService } from '../modules/events/events.service.ts'
import { createInvitationsService } from '../modules/invitations/invitations.service.ts'
import { noPublisher } from '../modules/ports.ts'

const USAGE = `Usage:
  pnpm admin create-event "<name>"
  pnpm admin invite <eventId> [--role organizer|moderator|guest] [--uses N] [--name "<display name>"]
  pnpm admin events`

const roleCheck = compile(Role)

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { role: { type: 'string' }, uses: { type: 'string' }, name: { type: 'string' } },
  })
  if (!command || !['create-event', 'invite', 'events'].includes(command)) {
    console.error(USAGE)
    return 2
  }

  const config = loadConfig()
  const db = await createDatabase({ databaseUrl: config.databaseUrl, embeddedDir: config.dataDir })
  try {
    await migrate(db.sql)
    // Sockets live in the server process; the CLI changes data only.
    const events = createEventsService({
      prisma: db.prisma,
      publisher: noPublisher,
      presence: { online: async () => new Set<string>() },
      pageMax: config.limits.pageMax,
    })
    const invitations = createInvitationsService({ prisma: db.prisma, publicUrl: config.publicUrl })

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
    const { invitation, url } = await invitations.createInvitation({ kind: 'admin' }, eventId, parsed.value)
    console.log(`Invitation for ${invitation.role}s, ${invitation.maxUses} use(s):\n  ${url}\n`)
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
