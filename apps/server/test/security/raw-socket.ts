import type { ClientSocket } from '../helpers.ts'

/**
 * Emits an event whose payload is JSON text written out, straight into the connection, and resolves with
 * the ack: the client library walks what it sends recursively (5,000 levels overflow it) and would
 * re-encode what we mean to send as is.
 */
export function emitRaw(socket: ClientSocket, event: string, payloadJson: string, ms = 5000): Promise<any> {
  const client = socket as unknown as {
    acks: Record<number, (...args: unknown[]) => void>
    io: { engine: { write(packet: string): void } }
  }
  const id = nextId++
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      delete client.acks[id]
      reject(new Error(`no ack for raw ${event} ${payloadJson.slice(0, 200)}`))
    }, ms)
    client.acks[id] = (response) => {
      clearTimeout(timer)
      resolve(response)
    }
    // A socket.io event (2), namespace, ack id, then the arguments; engine.io frames it as a message.
    client.io.engine.write(`2/chat,${id}[${JSON.stringify(event)},${payloadJson}]`)
  })
}
/** Far above the ids the client library hands out itself. */
let nextId = 1_000_000_000
