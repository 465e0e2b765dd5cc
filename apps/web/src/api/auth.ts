import type { InvitationPreview, JoinBody, JoinResponse, MeResponse } from '@secura/shared'
import { request } from './http.ts'

/** /api/auth: what an invitation opens, redeeming it, who am I, signing out. */
export const authApi = {
  previewInvitation: (code: string, signal?: AbortSignal) =>
    request<InvitationPreview>('POST', '/api/auth/invitation', { body: { code }, ...(signal && { signal }) }),
  join: (body: JoinBody) => request<JoinResponse>('POST', '/api/auth/join', { body }),
  me: () => request<MeResponse>('GET', '/api/auth/me'),
  logout: () => request<void>('POST', '/api/auth/logout'),
}
