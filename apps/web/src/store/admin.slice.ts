import type {
  CreateEventBody,
  CreateInvitationBody,
  Event,
  EventSettingsBody,
  EventStorage,
  GuestList,
  Invitation,
  ModerationAction,
  ModerationLog,
  ReportQueue,
  ResolveReportBody,
  ResolveReportResponse,
} from '@secura/shared'
import type { StateCreator } from 'zustand'
import { adminApi, type ExportKind, type ModerationCommand } from '../api/admin.ts'
import { ApiError } from '../api/http.ts'
import type { AppState } from './index.ts'

const TOKEN_KEY = 'secura.adminToken'

/** The secret of an invitation, which the server returns only when it is created. */
export interface IssuedCode {
  code: string
  url: string
}

export interface AdminSlice {
  /** The operator's key, kept for this tab only (sessionStorage). Null: act as the signed-in organizer. */
  adminToken: string | null
  /** Why the console asks for the token again, if it does. */
  adminNotice: string | null
  events: Event[] | null
  selectedEventId: string | null
  invitations: Invitation[] | null
  /** Codes of invitations created in this tab, by invitation id; kept in memory only. */
  issuedCodes: Record<string, IssuedCode>
  /** The last invitation made points at a loopback address (PUBLIC_URL): phones cannot open it. */
  invitationLinksLoopback: boolean

  setAdminToken: (token: string | null, notice?: string) => void
  loadEvents: () => Promise<void>
  createEvent: (body: CreateEventBody) => Promise<Event>
  deleteEvent: (eventId: string) => Promise<void>
  selectEvent: (eventId: string | null) => void
  loadInvitations: () => Promise<void>
  createInvitation: (body: CreateInvitationBody) => Promise<Invitation>
  /** Revokes it; with `endSessions`, the guests who joined with it are signed out too. */
  revokeInvitation: (invitationId: string, options?: { endSessions?: boolean }) => Promise<void>
  /** The selected event's guests matching `q` (by name), with presence; the panel keeps the answer. */
  listGuests: (q: string) => Promise<GuestList>
  moderate: (userId: string, command: ModerationCommand) => Promise<ModerationAction>
  /** "End now": the selected event's chat turns read-only for everyone in it. */
  endEvent: () => Promise<Event>
  /** Downloads an export of the selected event. */
  exportEvent: (kind: ExportKind) => Promise<Blob>
  moderationLog: () => Promise<ModerationLog>
  /** A new personal link for an existing guest: same identity, a new session. */
  reissueAccess: (userId: string) => Promise<IssuedCode>
  /** Changes the lobby's settings of `eventId`; the events list and a signed-in organizer's session follow. */
  updateEventSettings: (eventId: string, body: EventSettingsBody) => Promise<Event>
  reportQueue: () => Promise<ReportQueue>
  /** What the event's photos and files take in storage (admin token only). */
  eventStorage: (eventId: string) => Promise<EventStorage>
  resolveReport: (reportId: string, body: ResolveReportBody) => Promise<ResolveReportResponse>
}

export const createAdminSlice: StateCreator<AppState, [], [], AdminSlice> = (set, get) => {
  /** Runs a call as the admin, or as the signed-in organizer when no token is set. */
  async function asActor<T>(call: (token: string | null) => Promise<T>): Promise<T> {
    const token = get().adminToken
    try {
      return await call(token)
    } catch (error) {
      // A refused token is dropped, so the console asks for it again.
      if (token && error instanceof ApiError && error.code === 'UNAUTHORIZED') {
        get().setAdminToken(null, 'The admin token was not accepted. Paste it again.')
      }
      throw error
    }
  }

  function asAdmin<T>(call: (token: string) => Promise<T>): Promise<T> {
    return asActor((token) => {
      if (!token) throw new ApiError('UNAUTHORIZED', 401, 'The admin token is required')
      return call(token)
    })
  }

  function selectedEvent(): string {
    const eventId = get().selectedEventId
    if (!eventId) throw new ApiError('VALIDATION', 400, 'Choose an event first')
    return eventId
  }

  return {
    adminToken: readStoredToken(),
    adminNotice: null,
    events: null,
    selectedEventId: null,
    invitations: null,
    issuedCodes: {},
    invitationLinksLoopback: false,

    setAdminToken: (token, notice) => {
      storeToken(token)
      set({
        adminToken: token,
        adminNotice: notice ?? null,
        events: null,
        selectedEventId: null,
        invitations: null,
      })
    },

    updateEventSettings: async (eventId, body) => {
      const event = await asActor((token) => adminApi.updateSettings(token, eventId, body))
      set((s) => ({
        events: s.events?.map((e) => (e.id === event.id ? { ...e, ...event } : e)) ?? null,
        ...(s.session.status === 'signed-in' &&
          s.session.event.id === event.id && { session: { ...s.session, event } }),
      }))
      return event
    },

    loadEvents: async () => {
      const { events } = await asAdmin((token) => adminApi.listEvents(token))
      set({ events })
    },

    createEvent: async (body) => {
      const { event } = await asAdmin((token) => adminApi.createEvent(token, body))
      set((s) => ({ events: [event, ...(s.events ?? [])], selectedEventId: event.id, invitations: [] }))
      return event
    },

    deleteEvent: async (eventId) => {
      await asAdmin((token) => adminApi.deleteEvent(token, eventId))
      set((s) => ({
        events: (s.events ?? []).filter((e) => e.id !== eventId),
        ...(s.selectedEventId === eventId && { selectedEventId: null, invitations: null }),
      }))
    },

    selectEvent: (eventId) => set({ selectedEventId: eventId, invitations: null }),

    eventStorage: (eventId) => asAdmin((token) => adminApi.eventStorage(token, eventId)),

    loadInvitations: async () => {
      const eventId = selectedEvent()
      const { invitations } = await asActor((token) => adminApi.listInvitations(token, eventId))
      if (get().selectedEventId === eventId) set({ invitations })
    },

    createInvitation: async (body) => {
      const eventId = selectedEvent()
      const { invitation, code, url, publicUrlIsLoopback } = await asActor((token) =>
        adminApi.createInvitation(token, eventId, body),
      )
      set((s) => ({
        issuedCodes: { ...s.issuedCodes, [invitation.id]: { code, url } },
        invitationLinksLoopback: publicUrlIsLoopback === true,
        ...(s.selectedEventId === eventId && { invitations: [invitation, ...(s.invitations ?? [])] }),
      }))
      return invitation
    },

    revokeInvitation: async (invitationId, { endSessions = false } = {}) => {
      const { invitation } = await asActor((token) =>
        adminApi.revokeInvitation(token, selectedEvent(), invitationId, endSessions),
      )
      set((s) => ({
        invitations: (s.invitations ?? []).map((i) => (i.id === invitation.id ? invitation : i)),
      }))
    },

    listGuests: (q) => {
      const eventId = selectedEvent()
      return asActor((token) => adminApi.listGuests(token, eventId, q))
    },
    endEvent: async () => {
      const eventId = selectedEvent()
      const { event } = await asActor((token) => adminApi.endEvent(token, eventId))
      set((s) => ({
        events: s.events?.map((e) => (e.id === event.id ? { ...e, ...event } : e)) ?? null,
      }))
      return event
    },
    exportEvent: (kind) => {
      const eventId = selectedEvent()
      return asActor((token) => adminApi.exportEvent(token, eventId, kind))
    },
    moderate: async (userId, command) => {
      const eventId = selectedEvent()
      return (await asActor((token) => adminApi.moderate(token, eventId, userId, command))).action
    },
    reportQueue: () => {
      const eventId = selectedEvent()
      return asActor((token) => adminApi.reportQueue(token, eventId))
    },
    resolveReport: (reportId, body) => {
      const eventId = selectedEvent()
      return asActor((token) => adminApi.resolveReport(token, eventId, reportId, body))
    },
    reissueAccess: async (userId) => {
      const eventId = selectedEvent()
      const { code, url } = await asActor((token) => adminApi.reissueAccess(token, eventId, userId))
      return { code, url }
    },
    moderationLog: () => {
      const eventId = selectedEvent()
      return asActor((token) => adminApi.moderationLog(token, eventId))
    },
  }
}

// sessionStorage can be unavailable (privacy modes, sandboxed frames): the console then keeps the token in memory.
function readStoredToken(): string | null {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

function storeToken(token: string | null): void {
  try {
    if (token) window.sessionStorage.setItem(TOKEN_KEY, token)
    else window.sessionStorage.removeItem(TOKEN_KEY)
  } catch {
    // Memory only, see above.
  }
}
