import type { JoinResponse, Message, MessagePage } from '@secura/shared'
import { ADMIN_TOKEN } from './infra/server.ts'

export interface Guest {
  name: string
  token: string
  user: { id: string; eventId: string }
}

export interface World {
  eventId: string
  lobbyId: string
  guests: Guest[]
  /** Conversation id → member user ids. */
  members: Map<string, string[]>
}

async function api<T>(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(base + path, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`)
  return (text ? JSON.parse(text) : undefined) as T
}

/**
 * An event with `count` guests joined through the real API (one shared invitation), its lobby, a group
 * of everyone and direct conversations between neighbours: every guest is in the lobby, the group and one
 * or two directs.
 */
export async function createWorld(base: string, label: string, count: number): Promise<World> {
  const { event, lobby } = await api<{ event: { id: string }; lobby: { id: string } }>(
    base,
    'POST',
    '/api/admin/events',
    ADMIN_TOKEN,
    { name: `Chaos ${label}` },
  )
  const { code } = await api<{ code: string }>(
    base,
    'POST',
    `/api/events/${event.id}/invitations`,
    ADMIN_TOKEN,
    {
      maxUses: count,
    },
  )
  const guests: Guest[] = []
  for (let i = 0; i < count; i++) {
    const name = `g${i}`
    const joined = await api<JoinResponse>(base, 'POST', '/api/auth/join', undefined, {
      code,
      displayName: name,
    })
    guests.push({ name, token: joined.token, user: { id: joined.user.id, eventId: event.id } })
  }
  const members = new Map<string, string[]>([[lobby.id, guests.map((g) => g.user.id)]])
  const group = await api<{ id: string }>(base, 'POST', '/api/chat/conversations', guests[0]!.token, {
    kind: 'group',
    title: `Everyone (${label})`,
    userIds: guests.slice(1).map((g) => g.user.id),
  })
  members.set(
    group.id,
    guests.map((g) => g.user.id),
  )
  for (let i = 0; i + 1 < count; i += 2) {
    const direct = await api<{ id: string }>(base, 'POST', '/api/chat/conversations', guests[i]!.token, {
      kind: 'direct',
      userId: guests[i + 1]!.user.id,
    })
    members.set(direct.id, [guests[i]!.user.id, guests[i + 1]!.user.id])
  }
  return { eventId: event.id, lobbyId: lobby.id, guests, members }
}

/** Conversations a guest is in. */
export const conversationsOf = (world: World, userId: string) =>
  [...world.members].filter(([, users]) => users.includes(userId)).map(([id]) => id)

/** The whole history of a conversation over REST, oldest first: the "fresh fetch" clients are compared to. */
export async function fetchHistory(base: string, token: string, conversationId: string): Promise<Message[]> {
  const pages: Message[][] = []
  let before: number | undefined
  for (;;) {
    const query = `limit=50${before !== undefined ? `&beforeSeq=${before}` : ''}`
    const page = await api<MessagePage>(
      base,
      'GET',
      `/api/chat/conversations/${conversationId}/messages?${query}`,
      token,
    )
    pages.unshift(page.messages)
    if (!page.hasMore || page.messages.length === 0) break
    before = page.messages[0]!.seq
  }
  return pages.flat()
}

export { api }
