import { createConnection, createServer, type Socket } from 'node:net'

export interface TcpProxy {
  /** 127.0.0.1:<port> — put it in place of the target's host:port. */
  host: string
  port: number
  /** Destroys every connection and refuses new ones until restore(): the database is gone. */
  cut(): void
  restore(): void
  close(): Promise<void>
}

/** A TCP proxy to `target`, for simulating a database outage between the server and Postgres. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>()
  let down = false
  const track = (socket: Socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
    socket.on('error', () => {}) // resets are expected here, on both sides
  }
  const server = createServer((client) => {
    track(client)
    if (down) {
      client.resetAndDestroy()
      return
    }
    const upstream = createConnection(target)
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    client.once('close', () => upstream.destroy())
    upstream.once('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('no proxy address')
  return {
    host: '127.0.0.1',
    port: address.port,
    cut() {
      down = true
      for (const socket of open) socket.resetAndDestroy()
    },
    restore() {
      down = false
    },
    async close() {
      for (const socket of open) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
