/**
 * DEV ONLY — an in-memory ChatStorage with made-up people and a long lobby history, for looking at the chat
 * UI before (or without) a server. Used by src/dev/preview.html through `vite dev`; never by the app's build.
 */

import type { ChatSnapshot, ChatStorage, LocalMessage } from '@secura/chat-client'
import {
  type Conversation,
  type ConversationSummary,
  type DirectoryUser,
  type Member,
  type Message,
  newId,
} from '@secura/shared'

const PAGE = 50
const NAMES = ['Ana Ribeiro', 'Bo Chen', 'Carla Mendes', 'Dev Patel', 'Emeka Obi', 'Fatima Zahra', 'Gus Lind']
const LINES = [
  'Has anyone found the coffee yet?',
  'The keynote starts in 10 minutes, room B.',
  'Slides are here: https://example.com/slides?talk=42 (thanks Bo!)',
  'Totally agree 😄',
  'Does anyone want to share a taxi to the dinner tonight? I have room for three people and I am leaving from the main entrance at 19:30.',
  'Line one\nline two\nline three',
  '<script>alert("not html")</script> stays text',
]

const iso = (ms: number) => new Date(ms).toISOString()
const uuid = newId

export function createMemoryStorage(me: { id: string; eventId: string; displayName: string }): ChatStorage {
  const now = Date.now()
  const users: DirectoryUser[] = [
    { id: me.id, displayName: me.displayName, role: 'guest', status: 'online', lastSeenAt: iso(now) },
    ...NAMES.map((displayName, i) => ({
      id: `00000000-0000-4000-8000-00000000000${i}`,
      displayName,
      role: i === 2 ? ('moderator' as const) : ('guest' as const),
      status: i % 3 === 0 ? ('online' as const) : ('offline' as const),
      lastSeenAt: iso(now),
    })),
  ]
  const other = (i: number) => users[i + 1] as DirectoryUser
  const member = (u: DirectoryUser, role: Member['role'] = 'member'): Member => ({
    userId: u.id,
    displayName: u.displayName,
    role,
    joinedAt: iso(now),
    lastReadSeq: 0,
  })
  const conversation = (
    kind: Conversation['kind'],
    title: string | null,
    members: Member[],
  ): ConversationSummary => ({
    id: uuid(),
    eventId: me.eventId,
    kind,
    title,
    createdById: null,
    createdAt: iso(now - 3 * 86_400_000),
    lastSeq: 0,
    lastRev: 0,
    lastMessageAt: null,
    memberCount: kind === 'event' ? users.length : members.length,
    members,
    lastMessage: null,
    unreadCount: 0,
    lastReadSeq: 0,
    mentionCount: 0,
  })
  const lobby = conversation('event', 'Design Week 2026', [])
  const direct = conversation('direct', null, [member(users[0] as DirectoryUser), member(other(0))])
  const group = conversation('group', 'Dinner crew', [
    member(users[0] as DirectoryUser, 'owner'),
    member(other(1)),
    member(other(2)),
  ])
  const all: Record<string, Message[]> = { [lobby.id]: [], [direct.id]: [], [group.id]: [] }

  const makeMessage = (
    conv: ConversationSummary,
    senderId: string,
    content: string,
    at: number,
    extra: Partial<Message> = {},
  ): Message => {
    conv.lastSeq += 1
    conv.lastRev += 1
    return {
      id: uuid(),
      conversationId: conv.id,
      seq: conv.lastSeq,
      rev: conv.lastRev,
      senderId,
      clientMessageId: uuid(),
      content,
      replyToId: null,
      timestamp: iso(at),
      editedAt: null,
      deletedAt: null,
      deletedBy: null,
      reactions: [],
      ...extra,
    }
  }
  for (let i = 0; i < 3000; i++) {
    const sender = i % 5 === 0 ? me.id : other(i % NAMES.length).id
    all[lobby.id]?.push(
      makeMessage(lobby, sender, `${LINES[i % LINES.length]} (#${i + 1})`, now - (3000 - i) * 90_000),
    )
  }
  const lobbyMessages = all[lobby.id] as Message[]
  const last = lobbyMessages.at(-1) as Message
  last.reactions = [
    { emoji: '👍', userIds: [other(0).id, other(1).id] },
    { emoji: '🎉', userIds: [me.id] },
  ]
  const quoted = lobbyMessages.at(-3) as Message
  lobbyMessages.push(
    makeMessage(lobby, other(1).id, 'Replying to that one.', now - 30_000, { replyToId: quoted.id }),
  )
  lobbyMessages.push(
    makeMessage(lobby, other(2).id, '', now - 20_000, { deletedAt: iso(now), deletedBy: other(2).id }),
  )
  all[direct.id]?.push(makeMessage(direct, other(0).id, 'Hi! Are you coming to the workshop?', now - 600_000))
  all[direct.id]?.push(
    makeMessage(direct, me.id, 'Yes, see you there', now - 500_000, { editedAt: iso(now - 400_000) }),
  )
  all[group.id]?.push(makeMessage(group, other(1).id, 'Table booked for 8 at 20:00 🍝', now - 5_000_000))
  direct.unreadCount = 0
  group.unreadCount = 1
  lobby.unreadCount = 12

  let outbox: LocalMessage[] = []
  const loaded: Record<string, number> = {}
  const dismissed = new Set<string>()
  const listeners = new Set<(s: ChatSnapshot) => void>()
  let snapshot: ChatSnapshot
  const reads: ChatSnapshot['reads'] = {
    [direct.id]: { [other(0).id]: 2 },
    [lobby.id]: { [other(3).id]: lobby.lastSeq - 2 },
  }
  const typing: ChatSnapshot['typing'] = {}
  const presence: ChatSnapshot['presence'] = Object.fromEntries(users.map((u) => [u.id, u.status]))
  const conversations = [lobby, direct, group]

  function publish() {
    const messages: ChatSnapshot['messages'] = {}
    const hasOlder: ChatSnapshot['hasOlder'] = {}
    for (const c of conversations) {
      const stored = all[c.id] ?? []
      const count = loaded[c.id] ?? 0
      messages[c.id] = [
        ...stored.slice(Math.max(0, stored.length - count)).map((m) => ({ ...m, state: 'sent' as const })),
        ...outbox.filter((m) => m.conversationId === c.id),
      ]
      hasOlder[c.id] = count < stored.length
      c.lastMessage = stored.at(-1) ?? null
      c.lastMessageAt = c.lastMessage?.timestamp ?? null
    }
    const connection = navigator.onLine ? 'connected' : 'offline'
    snapshot = {
      connection,
      outboxSize: outbox.length,
      conversations: conversations.map((c) => ({ ...c })),
      messages,
      hasOlder,
      windows: {},
      typing: { ...typing },
      reads: { ...reads },
      presence: { ...presence },
      muted: null,
      uploads: {},
      announcements: Object.values(all)
        .flat()
        .filter((m) => m.announcement && !m.deletedAt && !dismissed.has(m.id))
        .reverse(),
      eventSettings: null,
    }
    for (const l of listeners) l(snapshot)
  }
  const find = (id: string) => {
    for (const c of conversations) {
      const m = all[c.id]?.find((x) => x.id === id)
      if (m) return { c, m }
    }
    throw new Error('no such message')
  }
  const change = (id: string, apply: (m: Message, c: ConversationSummary) => void) => {
    const { c, m } = find(id)
    c.lastRev += 1
    apply(m, c)
    m.rev = c.lastRev
    publish()
  }
  const deliver = (clientMessageId: string) => {
    const pending = outbox.find((m) => m.clientMessageId === clientMessageId)
    const conv = conversations.find((c) => c.id === pending?.conversationId)
    if (!pending || !conv) return
    if (pending.content.includes('fail')) {
      outbox = outbox.map((m) =>
        m === pending
          ? {
              ...pending,
              state: 'failed',
              error: { code: 'VALIDATION', message: 'The server refused this message' },
            }
          : m,
      )
    } else {
      outbox = outbox.filter((m) => m !== pending)
      all[conv.id]?.push(
        makeMessage(conv, me.id, pending.content, Date.now(), {
          clientMessageId,
          replyToId: pending.replyToId,
        }),
      )
      loaded[conv.id] = (loaded[conv.id] ?? 0) + 1
      // Someone answers, after typing for a while.
      const replier = conv.kind === 'direct' ? other(0) : other(3)
      setTimeout(() => {
        typing[conv.id] = [replier.id]
        publish()
      }, 800)
      setTimeout(() => {
        typing[conv.id] = []
        all[conv.id]?.push(
          makeMessage(conv, replier.id, `Got it: “${pending.content.slice(0, 40)}”`, Date.now()),
        )
        loaded[conv.id] = (loaded[conv.id] ?? 0) + 1
        reads[conv.id] = { ...reads[conv.id], [replier.id]: conv.lastSeq }
        publish()
      }, 3500)
    }
    publish()
  }
  publish()

  function loadBackTo(id: string, reached: (m: Message) => boolean) {
    const stored = all[id] ?? []
    const index = stored.findIndex(reached)
    loaded[id] = Math.max(loaded[id] ?? 0, index < 0 ? 0 : stored.length - index + 10)
    publish()
  }

  return {
    start: async () => publish(),
    stop: () => listeners.clear(),
    subscribe: (l) => {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    getSnapshot: () => snapshot,
    openConversation: async (id) => {
      loaded[id] = Math.max(loaded[id] ?? 0, PAGE)
      const c = conversations.find((x) => x.id === id)
      if (c) c.unreadCount = 0
      publish()
    },
    closeConversation: () => undefined,
    loadOlder: async (id) => {
      await new Promise((r) => setTimeout(r, 400))
      loaded[id] = (loaded[id] ?? 0) + PAGE
      publish()
    },
    loadUntil: async (id, seq) => loadBackTo(id, (m) => m.seq >= seq),
    // The demo has no windows: it loads back to the message, which is cheap in memory.
    openAround: async (id, at) =>
      loadBackTo(id, (m) => ('seq' in at ? m.seq >= at.seq : m.id === at.messageId)),
    loadNewer: async () => undefined,
    leaveWindow: () => undefined,
    // A word match over the demo's messages, newest first, with the matching words marked.
    searchMessages: async (q) => {
      const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
      const hits = conversations.flatMap((c) =>
        (all[c.id] ?? [])
          .filter((m) => !m.deletedAt && words.length > 0)
          .filter((m) => words.every((w) => m.content.toLowerCase().includes(w)))
          .map((m) => ({
            messageId: m.id,
            conversationId: c.id,
            conversationKind: c.kind,
            conversationTitle: c.title,
            seq: m.seq,
            senderId: m.senderId,
            senderName: users.find((u) => u.id === m.senderId)?.displayName ?? me.displayName,
            timestamp: m.timestamp,
            editedAt: m.editedAt,
            snippet: m.content
              .split(/([\p{L}\p{N}]+)/u)
              .filter((t) => t !== '')
              .map((t) =>
                words.some((w) => t.toLowerCase().startsWith(w))
                  ? { text: t, match: true as const }
                  : { text: t },
              ),
          })),
      )
      return {
        hits: hits.sort((a, b) => b.timestamp.localeCompare(a.timestamp)).slice(0, 20),
        nextCursor: null,
      }
    },
    send: async (conversationId, content, replyToId, _mentions, files = []) => {
      const clientMessageId = uuid()
      outbox.push({
        state: 'pending',
        clientMessageId,
        conversationId,
        senderId: me.id,
        content,
        replyToId: replyToId ?? null,
        timestamp: iso(Date.now()),
        ...(files.length > 0 && {
          files: files.map(({ blob, name }) => ({
            localId: uuid(),
            name,
            type: blob.type,
            size: blob.size,
            blob,
            uploaded: false,
          })),
        }),
      })
      publish()
      setTimeout(() => deliver(clientMessageId), 1200)
    },
    retry: async (id) => {
      outbox = outbox.map((m) =>
        m.clientMessageId === id ? { ...m, state: 'pending', content: m.content.replace('fail', 'ok') } : m,
      )
      publish()
      setTimeout(() => deliver(id), 800)
    },
    discard: async (id) => {
      outbox = outbox.filter((m) => m.clientMessageId !== id)
      publish()
    },
    removeFile: async (id, localId) => {
      outbox = outbox.map((m) =>
        m.clientMessageId === id && m.state !== 'sent'
          ? { ...m, files: m.files?.filter((f) => f.localId !== localId) }
          : m,
      )
      publish()
    },
    editFailed: async (id, content) => {
      outbox = outbox.map((m) => (m.clientMessageId === id ? { ...m, state: 'pending', content } : m))
      publish()
      setTimeout(() => deliver(id), 800)
    },
    edit: async (id, content) =>
      change(id, (m) => {
        m.content = content
        m.editedAt = iso(Date.now())
      }),
    remove: async (id) =>
      change(id, (m) => {
        m.content = ''
        m.deletedAt = iso(Date.now())
        m.deletedBy = me.id
      }),
    react: async (id, emoji) =>
      change(id, (m) => {
        const r = m.reactions.find((x) => x.emoji === emoji)
        if (!r) m.reactions = [...m.reactions, { emoji, userIds: [me.id] }]
        else
          r.userIds = r.userIds.includes(me.id) ? r.userIds.filter((u) => u !== me.id) : [...r.userIds, me.id]
        m.reactions = m.reactions.filter((x) => x.userIds.length > 0)
      }),
    markRead: async (id, seq) => {
      const c = conversations.find((x) => x.id === id)
      if (c) {
        c.lastReadSeq = seq
        c.unreadCount = 0
      }
      publish()
    },
    setTyping: () => undefined,
    createDirect: async (userId) => {
      const existing = conversations.find(
        (c) => c.kind === 'direct' && c.members.some((m) => m.userId === userId),
      )
      if (existing) return existing
      const u = users.find((x) => x.id === userId) as DirectoryUser
      const c = conversation('direct', null, [member(users[0] as DirectoryUser), member(u)])
      conversations.push(c)
      all[c.id] = []
      publish()
      return c
    },
    createGroup: async (title, ids) => {
      const c = conversation('group', title, [
        member(users[0] as DirectoryUser, 'owner'),
        ...users.filter((u) => ids.includes(u.id)).map((u) => member(u)),
      ])
      conversations.push(c)
      all[c.id] = []
      publish()
      return c
    },
    addMembers: async (id, ids) => {
      const c = conversations.find((x) => x.id === id) as ConversationSummary
      c.members = [...c.members, ...users.filter((u) => ids.includes(u.id)).map((u) => member(u))]
      c.memberCount = c.members.length
      publish()
      return c
    },
    renameGroup: async (id, title) => {
      const c = conversations.find((x) => x.id === id) as ConversationSummary
      c.title = title.trim()
      publish()
      return c
    },
    removeMembers: async (id, ids) => {
      const c = conversations.find((x) => x.id === id) as ConversationSummary
      c.members = c.members.filter((m) => !ids.includes(m.userId))
      c.memberCount = c.members.length
      if (ids.includes(me.id)) conversations.splice(conversations.indexOf(c), 1)
      publish()
      return c
    },
    searchUsers: async (q) =>
      users.filter((u) => u.displayName.toLowerCase().includes(q.trim().toLowerCase())),
    findUsers: async (ids) => users.filter((u) => ids.includes(u.id)),
    watchPresence: async () => undefined,
    // The preview has no server: nobody to tell about activity, no other device to sync from.
    reportActivity: () => undefined,
    onNotificationPreferences: () => () => undefined,
    pin: async (id, pinned) =>
      change(id, (m) => {
        m.pinnedAt = pinned ? iso(Date.now()) : undefined
        m.pinnedBy = pinned ? me.id : undefined
      }),
    loadPins: async (id) =>
      (all[id] ?? []).filter((m) => m.pinnedAt && !m.deletedAt).sort((a, b) => b.seq - a.seq),
    dismissAnnouncement: async (id) => {
      dismissed.add(id)
      publish()
    },
    announce: async (conversationId, content) => {
      const c = conversations.find((x) => x.id === conversationId) as ConversationSummary
      const message = { ...makeMessage(c, me.id, content, Date.now()), announcement: true as const }
      all[c.id]?.push(message)
      loaded[c.id] = (loaded[c.id] ?? 0) + 1
      publish()
      return message
    },
  }
}
