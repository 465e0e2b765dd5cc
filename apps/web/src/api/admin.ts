import type {
  CreateEventBody,
  CreateEventResponse,
  CreateInvitationBody,
  CreateInvitationResponse,
  Event,
  EventList,
  EventResponse,
  EventSettingsBody,
  EventStorage,
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
import { ApiError, request } from './http.ts'

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
  eventStorage: (token: string, eventId: string) =>
    request<EventStorage>('GET', `/api/admin/events/${encodeURIComponent(eventId)}/storage`, { token }),

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
  /** "End now" (protocol §3.4): the admin, or an organizer of the event. */
  endEvent: (token: string | null, eventId: string) =>
    request<EventResponse>('POST', `/api/events/${encodeURIComponent(eventId)}/end`, { token }),
  /** An export as a file: the JSON of the lobby and groups, or the lobby's printable transcript. */
  exportEvent: async (token: string | null, eventId: string, kind: ExportKind): Promise<Blob> => {
    const path = `/api/events/${encodeURIComponent(eventId)}/${kind === 'json' ? 'export' : 'export/lobby.html'}`
    let response: Response
    try {
      response = await fetch(path, {
        credentials: 'same-origin',
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      })
    } catch {
      throw new ApiError('NETWORK', 0, 'Cannot reach the server. Check your connection and try again.')
    }
    if (response.ok) return response.blob()
    const payload = (await response.json().catch(() => undefined)) as
      | { error?: { code?: string; message?: string } }
      | undefined
    const error = payload?.error
    if (error?.code && error.message) throw new ApiError(error.code as never, response.status, error.message)
    throw new ApiError('NETWORK', response.status, `The export failed (HTTP ${response.status}). Try again.`)
  },
  /** The lobby's settings (protocol §3.3): the admin, or an organizer of the event. */
  updateSettings: (token: string | null, eventId: string, body: EventSettingsBody) =>
    request<Event>('PUT', `/api/events/${encodeURIComponent(eventId)}/settings`, { token, body }),
  moderationLog: (token: string | null, eventId: string) =>
    request<ModerationLog>('GET', `/api/events/${encodeURIComponent(eventId)}/moderation`, { token }),
}

export type ExportKind = 'json' | 'lobby-html'

export type ModerationCommand =
  | { kind: 'mute'; body: MuteBody }
  | { kind: 'remove'; body: RemoveBody }
  | { kind: 'restore' }
  | { kind: 'role'; body: RoleBody }

const invitationsPath = (eventId: string) => `/api/events/${encodeURIComponent(eventId)}/invitations`
