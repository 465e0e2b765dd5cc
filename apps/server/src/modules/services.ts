import type { AccessService } from './access.service.ts'
import type { AttachmentsService } from './attachments/attachments.service.ts'
import type { ConversationsService } from './conversations/conversations.service.ts'
import type { EventsService } from './events/events.service.ts'
import type { Exports } from './events/export.ts'
import type { IdentityService } from './identity/identity.service.ts'
import type { InvitationsService } from './invitations/invitations.service.ts'
import type { AnnouncementsService } from './messages/announcements.service.ts'
import type { MessagesService } from './messages/messages.service.ts'
import type { ModerationService } from './moderation/moderation.service.ts'
import type { ReportsService } from './moderation/reports.service.ts'
import type { PresenceService } from './presence/presence.service.ts'
import type { TypingService } from './presence/typing.service.ts'
import type { PushService } from './push/push.service.ts'
import type { SearchService } from './search/search.service.ts'

/** The domain services both transports call; the services plugin builds them. */
export interface Services {
  identity: IdentityService
  events: EventsService
  exports: Exports
  invitations: InvitationsService
  access: AccessService
  conversations: ConversationsService
  messages: MessagesService
  presence: PresenceService
  typing: TypingService
  attachments: AttachmentsService
  moderation: ModerationService
  reports: ReportsService
  search: SearchService
  push: PushService
  announcements: AnnouncementsService
}
