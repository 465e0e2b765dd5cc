import type {
  CreateEventBody,
  CreateEventResponse,
  CreateInvitationBody,
  CreateInvitationResponse,
  Event,
  EventList,
  EventSettingsBody,
  GuestList,
  Invitation,
  InvitationList,
  ModerationActionResponse,
  ModerationLog,
  MuteBody,
  RemoveBody,
  ReportQueue,
  ResolveReportBody,
  ResolveReportResponse,
  RoleBody,
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

  /** Moderation (protocol §3.1): the admin, or an organizer or moderator of the event. */
  moderate: (token: string | null, eventId: string, userId: string, command: ModerationCommand) => {
    const path = `/api/events/${encodeURIComponent(eventId)}/guests/${encodeURIComponent(userId)}/${command.kind}`
    const body = command.kind === 'restore' ? undefined : command.body
    return request<ModerationActionResponse>(command.kind === 'role' ? 'PUT' : 'POST', path, {
      token,
      ...(body && { body }),
    })
  },
  reportQueue: (token: string | null, eventId: string) =>
    request<ReportQueue>('GET', `/api/events/${encodeURIComponent(eventId)}/reports`, { token }),
  resolveReport: (token: string | null, eventId: string, reportId: string, body: ResolveReportBody) =>
    request<ResolveReportResponse>(
      'POST',
      `/api/events/${encodeURIComponent(eventId)}/reports/${encodeURIComponent(reportId)}/resolve`,
      { token, body },
    ),
  reissueAccess: (token: string | null, eventId: string, userId: string) =>
    request<CreateInvitationResponse>(
      'POST',
      `/api/events/${encodeURIComponent(eventId)}/guests/${encodeURIComponent(userId)}/access`,
      { token },
    ),
  /** The lobby's settings (protocol §3.3): the admin, or an organizer of the event. */
  updateSettings: (token: string | null, eventId: string, body: EventSettingsBody) =>
    request<Event>('PUT', `/api/events/${encodeURIComponent(eventId)}/settings`, { token, body }),
  moderationLog: (token: string | null, eventId: string) =>
    request<ModerationLog>('GET', `/api/events/${encodeURIComponent(eventId)}/moderation`, { token }),
}

export type ModerationCommand =
  | { kind: 'mute'; body: MuteBody }
  | { kind: 'remove'; body: RemoveBody }
  | { kind: 'restore' }
  | { kind: 'role'; body: RoleBody }

const invitationsPath = (eventId: string) => `/api/events/${encodeURIComponent(eventId)}/invitations`
