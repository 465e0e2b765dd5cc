import { createConnection, createServer, type Server, type Socket } from 'node:net'

export interface Upstream {
  host: string
  port: number
}

type Mode = 'pass' | 'refuse' | 'stall'

/**
 * A small TCP proxy of our own, between clients and the server(s), for network faults:
 * - `cut()` resets every open connection (both sides see ECONNRESET),
 * - `refuse` resets new connections at once (the network is gone),
 * - `stall` accepts and holds bytes without forwarding them until `pass` again (a black hole that
 *   later delivers: acks time out, then everything arrives late),
 * - `delayMs` delays every chunk in both directions, order kept.
 * With several upstreams it balances connections round-robin and skips one that refuses (a dead instance).
 */
export class ChaosProxy {
  private server: Server | undefined
  private readonly open = new Set<Socket>()
  private readonly resumers = new Set<() => void>()
  private next = 0
  mode: Mode = 'pass'
  delayMs = 0
  port = 0
  connections = 0

  constructor(private readonly upstreams: () => Upstream[]) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async listen(): Promise<void> {
    const server = createServer((client) => this.accept(client))
    this.server = server
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    this.port = typeof address === 'object' && address ? address.port : 0
  }

  setMode(mode: Mode): void {
    this.mode = mode
    if (mode === 'pass') for (const resume of [...this.resumers]) resume()
  }

  cut(): void {
    for (const socket of this.open) socket.resetAndDestroy()
  }

  async close(): Promise<void> {
    this.cut()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  private track(socket: Socket) {
    this.open.add(socket)
    socket.once('close', () => this.open.delete(socket))
    socket.on('error', () => undefined) // resets are the point here
  }

  private accept(client: Socket) {
    this.track(client)
    this.connections++
    if (this.mode === 'refuse') return void client.resetAndDestroy()
    const held: Buffer[] = []
    client.on('data', (chunk: Buffer) => held.push(chunk))
    const connect = () => {
      this.connectUpstream(0, (upstream) => {
        if (!upstream || client.destroyed) {
          upstream?.destroy()
          return void client.resetAndDestroy()
        }
        this.track(upstream)
        client.removeAllListeners('data')
        const toServer = this.forwarder(upstream)
        const toClient = this.forwarder(client)
        for (const chunk of held) toServer(chunk)
        client.on('data', toServer)
        upstream.on('data', toClient)
        client.once('close', () => upstream.destroy())
        upstream.once('close', () => client.destroy())
      })
    }
    if (this.mode === 'stall') this.whenPassing(client, connect)
    else connect()
  }

  /** Tries each upstream once, starting with the next in turn. */
  private connectUpstream(tried: number, done: (socket: Socket | undefined) => void) {
    const list = this.upstreams()
    if (tried >= list.length || list.length === 0) return done(undefined)
    const target = list[this.next++ % list.length]!
    const socket = createConnection(target)
    socket.once('connect', () => {
      socket.removeAllListeners('error')
      done(socket)
    })
    socket.once('error', () => {
      socket.destroy()
      this.connectUpstream(tried + 1, done)
    })
  }

  /** Writes chunks to `to` in order, after the current delay, holding them while stalled. */
  private forwarder(to: Socket) {
    const queue: { chunk: Buffer; due: number }[] = []
    let timer: ReturnType<typeof setTimeout> | undefined
    let waiting = false
    const flush = () => {
      timer = undefined
      if (to.destroyed) {
        queue.length = 0
        return
      }
      if (this.mode === 'stall') {
        if (!waiting) {
          waiting = true
          this.whenPassing(to, () => {
            waiting = false
            flush()
          })
        }
        return
      }
      const now = Date.now()
      while (queue.length > 0 && queue[0]!.due <= now) to.write(queue.shift()!.chunk)
      if (queue.length > 0) timer = setTimeout(flush, queue[0]!.due - now)
    }
    return (chunk: Buffer) => {
      const last = queue.at(-1)?.due ?? 0
      queue.push({ chunk, due: Math.max(Date.now() + this.delayMs, last) })
      if (!timer && !waiting) {
        if (this.delayMs === 0 && this.mode === 'pass' && queue.length === 1) flush()
        else timer = setTimeout(flush, Math.max(0, queue[0]!.due - Date.now()))
      }
    }
  }

  private whenPassing(socket: Socket, resume: () => void) {
    const run = () => {
      this.resumers.delete(run)
      if (!socket.destroyed) resume()
    }
    this.resumers.add(run)
  }
}
