import type { ReportReceipt } from '@secura/shared'
import { request } from './http.ts'

/** Reports a message to the organizers, as the signed-in guest (protocol §3.2). */
export const reportMessage = (conversationId: string, messageId: string, reason: string) =>
  request<ReportReceipt>(
    'POST',
    `/api/chat/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/report`,
    { token: null, body: { reason } },
  )
