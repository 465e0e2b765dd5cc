// Baseline: bare `ws` broadcast — the practical ceiling. Rooms are Sets of sockets; a broadcast serializes
// once and writes the same frame to each member. JSON frames: {e, d, a} in, {a, r} (ack) or {e, d} out.
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { type WebSocket, WebSocketServer } from 'ws'

const port = Number(process.env.PORT ?? 0)
const http = createServer((req, res) => {
  if (req.url === '/stats') {
    const m = process.memoryUsage()
    res.end(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, sockets: wss.clients.size }))
    return
  }
  res.statusCode = 404
  res.end()
})
const wss = new WebSocketServer({ server: http, maxPayload: 64 * 1024 })
const rooms = new Map<string, Set<WebSocket>>()
const seqs = new Map<string, number>()

wss.on('connection', (ws) => {
  const joined = new Set<string>()
  ws.on('message', (data) => {
    let frame: {
      e: string
      d: { conversationId: string; content?: string; clientMessageId?: string }
      a?: number
    }
    try {
      frame = JSON.parse(data.toString())
    } catch {
      return
    }
    const conversationId = frame.d?.conversationId
    if (frame.e === 'conversation:join') {
      const room = rooms.get(conversationId) ?? new Set<WebSocket>()
      rooms.set(conversationId, room)
      room.add(ws)
      joined.add(conversationId)
      ws.send(JSON.stringify({ a: frame.a, r: { ok: true, data: { conversationId, userCount: room.size } } }))
    } else if (frame.e === 'message:send') {
      const seq = (seqs.get(conversationId) ?? 0) + 1
      seqs.set(conversationId, seq)
      const message = {
        id: randomUUID(),
        conversationId,
        seq,
        rev: seq,
        senderId: 'ws',
        clientMessageId: frame.d.clientMessageId,
        content: frame.d.content,
        replyToId: null,
        timestamp: new Date().toISOString(),
        editedAt: null,
        deletedAt: null,
        deletedBy: null,
        reactions: [],
      }
      const out = JSON.stringify({ e: 'message:new', d: message })
      for (const member of rooms.get(conversationId) ?? []) member.send(out)
      ws.send(JSON.stringify({ a: frame.a, r: { ok: true, data: message } }))
    }
  })
  ws.on('close', () => {
    for (const id of joined) rooms.get(id)?.delete(ws)
  })
})

http.listen(port, '127.0.0.1', () => {
  const address = http.address()
  process.send?.({ listening: typeof address === 'object' && address ? address.port : port })
})
process.on('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate()
  wss.close(() => http.close(() => process.exit(0)))
})
