import { expect, type Locator, type Page } from '@playwright/test'

/** The chat as a guest sees it: the conversation list, the open conversation, its messages. */
export class ChatPage {
  constructor(readonly page: Page) {}

  get banner(): Locator {
    return this.page.getByTestId('connection-banner')
  }

  conversation(kind: 'event' | 'direct' | 'group', title?: string): Locator {
    const items = this.page.locator(`[data-testid="conversation-item"][data-kind="${kind}"]`)
    return title ? items.filter({ hasText: title }) : items
  }

  /** The open conversation's messages, as rendered (the timeline is virtualized: recent ones only). */
  get messages(): Locator {
    return this.page.getByTestId('timeline').getByTestId('message')
  }

  message(text: string): Locator {
    return this.messages.filter({ has: this.page.locator('.message-text', { hasText: text }) })
  }

  /** Texts of the rendered messages, oldest first; tombstones read "message deleted". */
  async texts(): Promise<string[]> {
    return this.messages.evaluateAll((nodes) =>
      nodes.map((n) => (n.querySelector('.message-text, .message-deleted')?.textContent ?? '').trim()),
    )
  }

  get input(): Locator {
    return this.page.getByTestId('message-input')
  }

  async openLobby(): Promise<void> {
    const lobby = this.conversation('event')
    // Already open (a guest who has just joined lands there, on a phone too, where the list is then hidden).
    if ((await lobby.getAttribute('aria-current')) !== 'true') await lobby.click()
    await expect(this.page.getByTestId('conversation-title')).toBeVisible()
  }

  async send(text: string): Promise<void> {
    await this.input.fill(text)
    await this.input.press('Enter')
  }

  /** Opens a message's toolbar (hover on a desktop) and runs one of its actions. */
  async act(text: string, action: 'add-reaction' | 'reply-message' | 'edit-message' | 'delete-message') {
    const message = this.message(text)
    await message.hover()
    await message.getByTestId(action).click()
  }

  async deleteMessage(text: string): Promise<void> {
    await this.act(text, 'delete-message')
    await this.page.getByTestId('confirm-delete').click()
  }

  async expectConnected(): Promise<void> {
    await expect(this.banner).toHaveAttribute('data-state', 'connected', { timeout: 30_000 })
  }
}
