import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort, run, waitFor } from './util.ts'

/** The server binaries: CHAOS_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin (Debian's layout). */
function pgBin(): string {
  if (process.env.CHAOS_PG_BIN) return process.env.CHAOS_PG_BIN
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin/initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (versions.length === 0) throw new Error(`no Postgres server binaries under ${root} (set CHAOS_PG_BIN)`)
  return join(root, versions[0]!, 'bin')
}
const BIN = pgBin()
const asRoot = process.getuid?.() === 0

/**
 * A Postgres cluster of the harness's own: initdb into a temp folder, run as the `postgres` OS user on a
 * free loopback port with its unix socket in that folder. Never the shared cluster on 5432.
 */
export class OwnPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  private get data() {
    return join(this.dir, 'data')
  }

  static async create(): Promise<OwnPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'secura-chaos-pg-'))
    chmodSync(dir, 0o755)
    mkdirSync(join(dir, 'data'), { mode: 0o700 })
    mkdirSync(join(dir, 'sock'), { mode: 0o755 })
    if (asRoot) {
      const uid = Number((await run('id', ['-u', 'postgres'])).trim())
      const gid = Number((await run('id', ['-g', 'postgres'])).trim())
      for (const d of [dir, join(dir, 'data'), join(dir, 'sock')]) chownSync(d, uid, gid)
    }
    const pgServer = new OwnPostgres(dir, await freePort())
    await pgServer.asPostgres('initdb', [
      '-D',
      pgServer.data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ])
    await pgServer.start()
    return pgServer
  }

  /** Connection string of a database on this cluster. */
  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${join(this.dir, 'sock')}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c max_connections=200',
      '-c shared_buffers=64MB',
    ].join(' ')
    await this.asPostgres('pg_ctl', [
      '-D',
      this.data,
      '-l',
      join(this.dir, 'log'),
      '-o',
      options,
      '-w',
      'start',
    ])
    await waitFor('postgres to accept connections', () => this.ready(), 20_000, 100)
  }

  /** The fault: `pg_ctl stop -m immediate` (every backend killed, no checkpoint). */
  async stopImmediate(): Promise<void> {
    await this.asPostgres('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop'])
  }

  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() })
    await client.connect()
    try {
      await client.query(`CREATE DATABASE "${name}"`)
    } finally {
      await client.end()
    }
    return this.url(name)
  }

  /** For the harness's exit however it comes: stop the cluster synchronously, remove its folder. */
  destroySync(): void {
    const args = ['-D', this.data, '-m', 'immediate', '-w', 'stop']
    if (asRoot)
      spawnSync('runuser', ['-u', 'postgres', '--', join(BIN, 'pg_ctl'), ...args], { stdio: 'ignore' })
    else spawnSync(join(BIN, 'pg_ctl'), args, { stdio: 'ignore' })
    rmSync(this.dir, { recursive: true, force: true })
  }

  async destroy(): Promise<void> {
    await this.asPostgres('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined)
    rmSync(this.dir, { recursive: true, force: true })
  }

  private async ready(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 1000 })
    client.on('error', () => undefined)
    try {
      await client.connect()
      await client.query('SELECT 1')
      return true
    } catch {
      return false
    } finally {
      await client.end().catch(() => undefined)
    }
  }

  /** Postgres refuses to run as root: as root, the tools run as the `postgres` OS user. */
  private asPostgres(tool: string, args: string[]): Promise<string> {
    return asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args], { timeoutMs: 60_000 })
      : run(join(BIN, tool), args, { timeoutMs: 60_000 })
  }
}
