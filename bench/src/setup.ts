// Users and conversations made through Secura Chat's real API, as an organizer and guests would.
import http from 'node:http'

export interface Guest {
  userId: string
  token: string
}

async function api<T = any>(
  url: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    if (res.ok) return (text ? JSON.parse(text) : null) as T
    if (res.status >= 500 && attempt < 3) continue
    throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`)
  }
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 8 })

/**
 * An authenticated GET over keep-alive connections. node:http rather than fetch: fetch costs the client
 * several times the CPU per request, which the load generator takes from the cores the server shares.
 */
export function get(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: keepAlive, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

async function pool<T>(count: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++
        out[i] = await fn(i)
      }
    }),
  )
  return out
}

export interface EventSetup {
  eventId: string
  lobbyId: string
  guests: Guest[]
  joinsPerSec: number
}

/** One event, shared invitations of 100 uses, and `count` guests who redeemed them. */
export async function createGuests(url: string, adminToken: string, count: number): Promise<EventSetup> {
  const { event, lobby } = await api(url, 'POST', '/api/admin/events', adminToken, {
    name: `bench ${Date.now()}`,
  })
  // Shared event QR codes of 100 uses each: one code for everyone would serialize every join on its row lock.
  const codes = await pool(Math.ceil(count / 100), 4, async (k) => {
    const maxUses = Math.min(100, count - k * 100)
    return (await api(url, 'POST', `/api/events/${event.id}/invitations`, adminToken, { maxUses }))
      .code as string
  })
  const t0 = performance.now()
  const guests = await pool(count, 16, async (i) => {
    // Consecutive guests take different codes, so concurrent joins do not queue on one invitation's row.
    const code = codes[i % codes.length]
    const r = await api(url, 'POST', '/api/auth/join', undefined, { code, displayName: `guest ${i}` })
    return { userId: r.user.id as string, token: r.token as string }
  })
  return {
    eventId: event.id,
    lobbyId: lobby.id,
    guests,
    joinsPerSec: count / ((performance.now() - t0) / 1000),
  }
}

/** Groups of `size` consecutive guests, each created by its first member; returns one id per group. */
export async function createGroups(url: string, guests: Guest[], size: number): Promise<string[]> {
  const groups = Math.floor(guests.length / size)
  return pool(groups, 8, async (g) => {
    const members = guests.slice(g * size, (g + 1) * size)
    const conv = await api(url, 'POST', '/api/chat/conversations', members[0]!.token, {
      kind: 'group',
      title: `bench group ${g}`,
      userIds: members.slice(1).map((m) => m.userId),
    })
    return conv.id as string
  })
}

export { api }
