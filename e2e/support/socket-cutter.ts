import type { BrowserContext, WebSocketRoute } from '@playwright/test'

/**
 * `context.setOffline(true)` fails HTTP but leaves open WebSockets open (TOOLCHAIN.md): this routes the
 * context's WebSockets through Playwright so a test can cut them, and refuse new ones, like a real outage.
 */
export class SocketCutter {
  /** Page side → server side of each open socket. */
  private open = new Map<WebSocketRoute, WebSocketRoute>()
  private refusing = false

  static async attach(context: BrowserContext): Promise<SocketCutter> {
    const cutter = new SocketCutter()
    await context.routeWebSocket(/\/socket\.io\//, (ws) => cutter.route(ws))
    return cutter
  }

  /** Closes every open socket and refuses new ones until restore(). */
  async cut(): Promise<void> {
    this.refusing = true
    const open = [...this.open]
    this.open.clear()
    await Promise.all(
      open.flatMap(([page, server]) => [
        page.close().catch(() => undefined),
        server.close().catch(() => undefined),
      ]),
    )
  }

  restore(): void {
    this.refusing = false
  }

  get openCount(): number {
    return this.open.size
  }

  private route(ws: WebSocketRoute) {
    if (this.refusing) {
      void ws.close().catch(() => undefined)
      return
    }
    const server = ws.connectToServer()
    this.open.set(ws, server)
    ws.onClose(() => {
      this.open.delete(ws)
      void server.close().catch(() => undefined)
    })
    server.onClose(() => {
      this.open.delete(ws)
      void ws.close().catch(() => undefined)
    })
  }
}
