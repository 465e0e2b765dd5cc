import { type DirectoryUser, LIMITS, type UserList } from '@secura/shared'
import { chatApi } from './commands.ts'
import { type KnownUser, putUsers, readUsers } from './db.ts'
import { isRetryable } from './retry.ts'
import type { ChatRuntime } from './runtime.ts'

/**
 * Names for user ids (message senders, readers, typists): the lobby lists no members, so the client asks
 * for exactly the ones it meets. Answers from IndexedDB first, asks the server for the rest, a page of ids
 * per request, and keeps what it learns. Offline it answers with what the cache knows.
 */
export async function findUsers(rt: ChatRuntime, userIds: string[]): Promise<KnownUser[]> {
  const ids = [...new Set(userIds)]
  const found = new Map((await readUsers(rt.db, ids)).map((u) => [u.id, u]))
  const missing = ids.filter((id) => !found.has(id))
  for (let i = 0; i < missing.length; i += LIMITS.pageMax) {
    const chunk = missing.slice(i, i + LIMITS.pageMax)
    let users: DirectoryUser[]
    try {
      ;({ users } = await rt.transport.http.request<UserList>(
        'GET',
        `${chatApi}/users?ids=${chunk.join(',')}`,
      ))
    } catch (error) {
      if (isRetryable(error)) break
      throw error
    }
    for (const user of await rememberUsers(rt, users)) found.set(user.id, user)
  }
  return [...found.values()]
}

/** Users the server just described: their presence, and their names for later (offline too). */
export async function rememberUsers(rt: ChatRuntime, users: DirectoryUser[]): Promise<KnownUser[]> {
  rt.model.setPresence(users.map((u) => [u.id, u.status]))
  const known = users.map(({ id, displayName, role }) => ({ id, displayName, role }))
  await putUsers(rt.db, known).catch(rt.report)
  return known
}
