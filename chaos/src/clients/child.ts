/**
 * A chat client in a process of its own (the slow consumer): the parent SIGSTOPs and SIGCONTs this
 * process, and asks it over IPC for its state.
 */
import { ChaosClient, type ClientSpec } from './client.ts'

export type ToChild = { type: 'start'; spec: ClientSpec } | { type: 'state' } | { type: 'stop' }
export type FromChild =
  | { type: 'started' }
  | { type: 'state'; state: RemoteState }
  | { type: 'error'; message: string }

export interface RemoteState {
  outboxSize: number
  connection: string
  messages: Record<string, unknown[]>
  errors: string[]
  answers: Record<string, number>
  drops: number
  pageLoads: number
}

let client: ChaosClient | undefined
const reply = (message: FromChild) => process.send?.(message)

process.on('message', (message: ToChild) => {
  void (async () => {
    try {
      if (message.type === 'start') {
        client = new ChaosClient(message.spec)
        await client.start()
        reply({ type: 'started' })
      } else if (message.type === 'state') {
        const snapshot = client?.snapshot()
        reply({
          type: 'state',
          state: {
            outboxSize: snapshot?.outboxSize ?? 0,
            connection: snapshot?.connection ?? 'stopped',
            messages: snapshot?.messages ?? {},
            errors: client?.errors ?? [],
            answers: Object.fromEntries(client?.answers ?? []),
            drops: client?.drops ?? 0,
            pageLoads: client?.pageLoads ?? 0,
          },
        })
      } else if (message.type === 'stop') {
        client?.stop()
        setTimeout(() => process.exit(0), 200)
      }
    } catch (error) {
      reply({ type: 'error', message: error instanceof Error ? error.message : String(error) })
    }
  })()
})
process.on('disconnect', () => process.exit(0))
