// Baseline: bare socket.io — namespace /chat, join a room, broadcast with ack. No auth, no storage.
// The same events and payload shapes as Secura Chat, so the same load generator drives both.
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { Server } from 'socket.io'

const port = Number(process.env.PORT ?? 0)
const http = createServer((req, res) => {
  // Memory readout for the harness (RSS is read from /proc; heap from here).
  if (req.url === '/stats') {
    const m = process.memoryUsage()
    res.end(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, sockets: chat.sockets.size }))
    return
  }
  res.statusCode = 404
  res.end()
})
const io = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024 })
const chat = io.of('/chat')
const seqs = new Map<string, number>()

type Ack = (r: unknown) => void
chat.on('connection', (socket) => {
  socket.on('conversation:join', (p: { conversationId: string }, ack: Ack) => {
    const room = `conv:${p.conversationId}`
    socket.join(room)
    ack?.({
      ok: true,
      data: { conversationId: p.conversationId, userCount: chat.adapter.rooms.get(room)?.size },
    })
  })
  socket.on(
    'message:send',
    (p: { conversationId: string; content: string; clientMessageId: string }, ack: Ack) => {
      const seq = (seqs.get(p.conversationId) ?? 0) + 1
      seqs.set(p.conversationId, seq)
      const message = {
        id: randomUUID(),
        conversationId: p.conversationId,
        seq,
        rev: seq,
        senderId: socket.id,
        clientMessageId: p.clientMessageId,
        content: p.content,
        replyToId: null,
        timestamp: new Date().toISOString(),
        editedAt: null,
        deletedAt: null,
        deletedBy: null,
        reactions: [],
      }
      chat.to(`conv:${p.conversationId}`).emit('message:new', message)
      ack?.({ ok: true, data: message })
    },
  )
})

http.listen(port, '127.0.0.1', () => {
  const address = http.address()
  process.send?.({ listening: typeof address === 'object' && address ? address.port : port })
})
process.on('SIGTERM', () => io.close(() => process.exit(0)))
