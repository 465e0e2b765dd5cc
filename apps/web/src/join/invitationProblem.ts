import { ApiError, describeError } from '../api/http.ts'

export interface InvitationProblem {
  title: string
  text: string
}

const ASK_ORGANIZER = 'Ask the event organizer for a new invitation.'

/** What to tell a guest whose invitation cannot be used, or undefined if the error is about something else. */
export function invitationProblem(error: unknown): InvitationProblem | undefined {
  if (!(error instanceof ApiError)) return undefined
  if (error.code === 'FORBIDDEN') {
    switch (error.reason) {
      case 'used':
        return {
          title: 'This invitation has already been used',
          text: `Each invitation admits a limited number of guests, and this one is full. ${ASK_ORGANIZER}`,
        }
      case 'expired':
        return { title: 'This invitation has expired', text: `It is no longer valid. ${ASK_ORGANIZER}` }
      case 'revoked':
        return {
          title: 'This invitation was withdrawn',
          text: `The organizer cancelled it. ${ASK_ORGANIZER}`,
        }
    }
  }
  // A refused name is the guest's to fix: the server's message says how.
  if (error.code === 'VALIDATION' && concernsName(error)) return undefined
  if (error.code === 'NOT_FOUND' || error.code === 'VALIDATION') return unknownInvitation
  return undefined
}

export const unknownInvitation: InvitationProblem = {
  title: 'We could not find this invitation',
  text: `Check that you scanned the whole QR code, or that the link was copied completely. ${ASK_ORGANIZER}`,
}

export const describeJoinError = (error: unknown): string => {
  const problem = invitationProblem(error)
  return problem ? `${problem.title}. ${problem.text}` : describeError(error)
}

function concernsName(error: ApiError): boolean {
  if (error.reason === 'name') return true
  const details = error.details
  return Array.isArray(details) && details.some((d) => d?.path === '/displayName')
}
