/**
 * Socket commands being answered on this instance. On shutdown the instance stops taking new ones and
 * waits for these to finish and ack before it closes the connections.
 */
export function commandTracker() {
  let open = 0
  let draining = false
  let idle: (() => void) | undefined
  return {
    get draining() {
      return draining
    },
    enter() {
      open++
    },
    leave() {
      open--
      if (open === 0) idle?.()
    },
    /** Refuses new commands from now on; resolves when the open ones have answered, or after `ms`. */
    async drain(ms: number): Promise<number> {
      draining = true
      if (open > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms)
          idle = () => {
            clearTimeout(timer)
            resolve()
          }
        })
      }
      return open
    },
  }
}

export type CommandTracker = ReturnType<typeof commandTracker>
