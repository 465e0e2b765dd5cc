import type {
  CreateEventBody,
  CreateEventResponse,
  CreateInvitationBody,
  CreateInvitationResponse,
  EventList,
  GuestList,
  Invitation,
  InvitationList,
} from '@secura/shared'
import { request } from './http.ts'

/**
 * The organizer console's calls. `token` is the admin token; null means the caller's own session
 * (an organizer manages the invitations of their event, but not events).
 */
export const adminApi = {
  listEvents: (token: string) => request<EventList>('GET', '/api/admin/events', { token }),
  createEvent: (token: string, body: CreateEventBody) =>
    request<CreateEventResponse>('POST', '/api/admin/events', { token, body }),
  deleteEvent: (token: string, eventId: string) =>
    request<void>('DELETE', `/api/admin/events/${encodeURIComponent(eventId)}`, { token }),

  listInvitations: (token: string | null, eventId: string) =>
    request<InvitationList>('GET', invitationsPath(eventId), { token }),
  createInvitation: (token: string | null, eventId: string, body: CreateInvitationBody) =>
    request<CreateInvitationResponse>('POST', invitationsPath(eventId), { token, body }),
  revokeInvitation: (token: string | null, eventId: string, invitationId: string, endSessions = false) =>
    request<{ invitation: Invitation; endedSessions?: number }>(
      'DELETE',
      `${invitationsPath(eventId)}/${encodeURIComponent(invitationId)}${endSessions ? '?endSessions=true' : ''}`,
      { token },
    ),

  listGuests: (token: string | null, eventId: string, q: string) =>
    request<GuestList>(
      'GET',
      `/api/events/${encodeURIComponent(eventId)}/guests?q=${encodeURIComponent(q)}&limit=100`,
      { token },
    ),
}

const invitationsPath = (eventId: string) => `/api/events/${encodeURIComponent(eventId)}/invitations`
